"""Personal API tokens: issued (shown once, stored hashed), expiring, revoked, noting their last
use, acting as their person's current role in their tenant only, and the page and command that
manage them (audited; never logged)."""

import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from console.models import AuditEntry, Membership
from tests.api.conftest import membership_of

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash(tenant, manager):
    issued = tokens.issue(
        membership=membership_of(manager, tenant), name="CRM", expires_days=None, actor=None
    )
    row = ApiToken.objects.get()
    assert issued.token.startswith("aicc_") and len(issued.token) >= 45
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert row.prefix == issued.token[: tokens.SHOWN]
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert issued.token not in stored
    assert AuditEntry.objects.filter(action="api_token.issue", tenant=tenant).count() == 1


def test_expiry_revocation_and_last_use(client, tenant, manager, token_for, bearer):
    token = token_for(manager, tenant, expires_days=2)
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 200
    row = ApiToken.objects.get()
    assert row.last_used_at is not None
    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=1)):
        r = client.get("/api/v1/calls", headers=bearer(token))
        assert r.status_code == 401
        assert r["Content-Type"] == "application/problem+json"
        assert r["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 200
    assert tokens.revoke(token=row, actor=None)
    assert not tokens.revoke(token=row, actor=None)  # once
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Basic Ym9iOnB3", "Bearer aicc_" + "x" * 43, "Token abc"],
)
def test_a_bad_token_is_401(client, tenant, manager, token_for, header):
    token_for(manager, tenant)
    r = client.get("/api/v1/calls", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.json()["status"] == 401 and r.json()["detail"]


def test_a_session_cookie_does_not_authenticate_the_api(client, tenant, manager):
    client.force_login(manager)
    assert client.get("/api/v1/calls").status_code == 401
    r = client.post("/api/v1/calls", {"called": "13800000000"}, content_type="application/json")
    assert r.status_code == 401


def test_the_token_acts_with_the_persons_current_role(client, tenant, manager, token_for, bearer):
    token = token_for(manager, tenant)
    Membership.objects.filter(user=manager, tenant=tenant).update(role="supervisor")
    r = client.get("/api/v1/calls", headers=bearer(token))
    assert r.status_code == 200
    body = {"called": "13800000000"}
    r = client.post(
        "/api/v1/calls",
        body,
        content_type="application/json",
        headers={**bearer(token), "Idempotency-Key": "k" * 16},
    )
    assert r.status_code == 403 and r.json()["reason"]["code"] == "not_manager"


def test_removing_the_person_or_deactivating_the_user_ends_the_token(
    client, tenant, manager, supervisor, token_for, bearer
):
    t1, t2 = token_for(manager, tenant), token_for(supervisor, tenant)
    manager.is_active = False
    manager.save()
    assert client.get("/api/v1/calls", headers=bearer(t1)).status_code == 401
    Membership.objects.filter(user=supervisor, tenant=tenant).delete()
    assert client.get("/api/v1/calls", headers=bearer(t2)).status_code == 401
    assert not ApiToken.objects.filter(membership__user=supervisor).exists()


def test_rate_limit_per_token_is_a_tenant_setting(
    client, tenant, manager, supervisor, token_for, bearer
):
    tenant.api_rate_per_minute = 3
    tenant.save()
    token, other = token_for(manager, tenant), token_for(supervisor, tenant)
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert client.get("/api/v1/reasons", headers=bearer(token)).status_code == 200
        r = client.get("/api/v1/reasons", headers=bearer(token))
        assert r.status_code == 429
        assert r["Content-Type"] == "application/problem+json"
        assert r["Retry-After"] == "55"
        assert "3" in r.json()["detail"]
        # Another token of the tenant has its own count.
        assert client.get("/api/v1/reasons", headers=bearer(other)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert client.get("/api/v1/reasons", headers=bearer(token)).status_code == 200


def test_the_rate_limit_counts_in_one_conditional_update(tenant, manager, token_for):
    """Two processes reading the same count cannot both take the last place: the rule is in the
    UPDATE's WHERE clause, not in Python."""
    token_for(manager, tenant)
    row = ApiToken.objects.get()
    now = timezone.now()
    tokens.count(row, 2, now)
    tokens.count(row, 2, now)
    with pytest.raises(tokens.RateLimited):
        tokens.count(row, 2, now)  # `row` in memory still says 0: the database decides
    assert ApiToken.objects.get().rate_count == 2


# ---- the page -------------------------------------------------------------------------------


def test_admin_issues_a_token_for_a_manager_shown_once(client, tenant, admin, manager):
    client.force_login(admin)
    url = f"/t/{tenant.code}/api-tokens/"
    person = membership_of(manager, tenant)
    r = client.post(url, {"name": "CRM", "person": person.pk, "expires_days": "30"})
    assert r.status_code == 200
    row = ApiToken.objects.get()
    assert row.membership == person and row.created_by == admin
    assert row.expires_at is not None
    page = r.content.decode()
    token = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert tokens.token_hash(token) == row.token_hash
    assert "no-store" in r["Cache-Control"]
    again = client.get(url).content.decode()
    assert token not in again and row.prefix in again
    # Revoke.
    r = client.post(f"/t/{tenant.code}/api-tokens/{row.code}/revoke/")
    assert r.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_self_service_is_a_tenant_setting(client, tenant, manager, supervisor, admin):
    client.force_login(manager)
    url = f"/t/{tenant.code}/api-tokens/"
    assert client.get(url).status_code == 403
    tenant.api_self_service = True
    tenant.save()
    assert client.get(url).status_code == 200
    me = membership_of(manager, tenant)
    theirs = membership_of(supervisor, tenant)
    # Only for themselves: another person's id is not a choice.
    r = client.post(url, {"name": "x", "person": theirs.pk})
    assert r.status_code == 200 and not ApiToken.objects.exists()
    client.post(url, {"name": "mine", "person": me.pk})
    mine = ApiToken.objects.get()
    assert mine.membership == me
    # A token issued by the admin for the supervisor: not the manager's to see or revoke.
    other = tokens.issue(membership=theirs, name="sup", expires_days=None, actor=admin).record
    assert other.prefix not in client.get(url).content.decode()
    assert client.post(f"/t/{tenant.code}/api-tokens/{other.code}/revoke/").status_code == 404
    assert client.post(f"/t/{tenant.code}/api-tokens/{mine.code}/revoke/").status_code == 302


def test_the_token_is_never_logged(client, tenant, admin, manager, token_for, everything_logged):
    """Through the console's own log handler, every logger at DEBUG: issuing (page and command),
    using, refusing and revoking a token never writes it."""
    client.force_login(admin)
    r = client.post(
        f"/t/{tenant.code}/api-tokens/",
        {"name": "CRM", "person": membership_of(manager, tenant).pk},
    )
    issued = r.content.decode().split('readonly value="')[1].split('"')[0]
    out = io.StringIO()
    call_command("api_token", "create", "--tenant", "acme", "--user", "bob", stdout=out)
    made = [issued, out.getvalue().strip(), token_for(manager, tenant)]
    for token in made:
        for value in (token, token + "x"):
            client.get("/api/v1/calls", headers={"Authorization": f"Bearer {value}"})
            client.post(
                "/api/v1/calls",
                {"called": "x"},
                content_type="application/json",
                headers={"Authorization": f"Bearer {value}", "Idempotency-Key": "k" * 10},
            )
    for row in ApiToken.objects.all():
        client.post(f"/t/{tenant.code}/api-tokens/{row.code}/revoke/")
    logged = everything_logged.getvalue()
    assert "/api/v1/calls" in logged  # the requests were logged
    for token in made:
        assert token[tokens.SHOWN :] not in logged


# ---- the command ------------------------------------------------------------------------------


def test_the_command_creates_lists_and_revokes(client, tenant, manager, bearer):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token", "create", "--tenant", "acme", "--user", "bob", "--expires-days", "7",
        stdout=out, stderr=err,
    )  # fmt: skip
    token = out.getvalue().strip()
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 200
    listed = io.StringIO()
    call_command("api_token", "list", "--tenant", "acme", stdout=listed)
    assert token[: tokens.SHOWN] in listed.getvalue() and token not in listed.getvalue()
    assert "active" in listed.getvalue()
    call_command("api_token", "revoke", "--tenant", "acme", token[: tokens.SHOWN], stdout=out)
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 401
    assert AuditEntry.objects.filter(action__startswith="api_token.").count() == 2
