"""People who already have an account join a tenant by invitation (issue 15, finding 2): an admin
learns nothing about other tenants' people, and the person accepts after signing in."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from console.models import AuditEntry, Invitation, Membership
from console.services import invitations
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
Role = Membership.Role
LINK = re.compile(r"https?://[^/\s]+(/invitation/([^/\s]+)/)")


def invite(client, tenant, email, role="supervisor"):
    return client.post(f"/t/{tenant.code}/people/invite/", {"email": email, "role": role})


def last_link():
    return LINK.search(mail.outbox[-1].body)


@pytest.fixture
def charlie(outsider):
    """The other tenant's admin, with an e-mail address."""
    outsider.email = "Charlie@Other.example"
    outsider.save()
    return outsider


def test_inviting_reveals_nothing_about_other_tenants_people(client, admin, charlie, tenant):
    client.force_login(admin)
    pages = []
    for email in ("charlie@other.example", "nobody@nowhere.example"):
        r = invite(client, tenant, email)
        assert r.status_code == 302
        pages.append(client.get(r.url).content.decode())
    assert "An invitation went to charlie@other.example" in pages[0]
    assert "An invitation went to nobody@nowhere.example" in pages[1]
    for page in pages:
        assert "Charlie" not in page.replace("charlie@other.example", "")
    assert len(mail.outbox) == 2
    assert not Membership.objects.filter(tenant=tenant, user=charlie).exists()
    entry = AuditEntry.objects.filter(action="member.invite").first()
    assert entry.tenant == tenant and entry.changes == {"role": [None, "supervisor"]}


def test_the_invited_person_accepts_after_signing_in(client, admin, charlie, tenant):
    client.force_login(admin)
    invite(client, tenant, "charlie@other.example", role="manager")
    path, token = last_link().groups()
    assert "manager" in mail.outbox[-1].body.lower() and tenant.name in mail.outbox[-1].subject

    them = Client()
    r = them.get(path)
    assert r.status_code == 302 and r.url == "/invitation/"  # the token leaves the address bar
    page = them.get("/invitation/").content.decode()
    assert f"Join {tenant.name}" in page and "Sign in to accept" in page
    assert token not in page
    r = them.post(
        "/accounts/login/?next=/invitation/", {"username": "charlie", "password": PASSWORD}
    )
    assert r.status_code == 302 and r.url == "/invitation/"
    assert "Accept and join" in them.get("/invitation/").content.decode()
    r = them.post("/invitation/", {"action": "accept"})
    assert r.status_code == 302 and r.url == f"/t/{tenant.code}/"
    assert Membership.objects.get(tenant=tenant, user=charlie).role == Role.MANAGER
    assert not Invitation.objects.exists()
    entry = AuditEntry.objects.get(action="member.join")
    assert entry.actor == charlie and entry.target == "charlie" and entry.tenant == tenant
    # The link worked once.
    them.get(path)
    assert them.get("/invitation/").status_code == 410


def test_a_link_for_another_address_is_refused(client, admin, manager, tenant, other_tenant):
    client.force_login(admin)
    invite(client, tenant, "someone@else.example")
    path, _token = last_link().groups()
    stranger = make_user("sid", email="sid@example.com")
    Membership.objects.create(tenant=other_tenant, user=stranger, role=Role.MANAGER)
    them = Client()
    them.force_login(stranger)
    them.get(path)
    page = them.get("/invitation/").content.decode()
    assert "This invitation was sent to someone@else.example" in page
    assert "Accept and join" not in page
    r = them.post("/invitation/", {"action": "accept"})
    assert r.status_code == 403
    assert "This invitation was sent to someone@else.example" in r.content.decode()
    assert not Membership.objects.filter(tenant=tenant, user=stranger).exists()
    assert Invitation.objects.count() == 1


def test_a_new_person_creates_their_account_from_the_invitation(client, admin, tenant):
    client.force_login(admin)
    invite(client, tenant, "New.Person@Example.com", role="manager")
    path, _token = last_link().groups()
    them = Client()
    them.get(path)
    r = them.post("/invitation/", {"action": "create", "username": "alice", "password": "x"})
    body = r.content.decode()
    assert r.status_code == 400 and "That username is taken" in body and "too short" in body
    data = {
        "action": "create",
        "username": "nina",
        "first_name": "Nina",
        "password": "a-g00d-passphrase",
    }
    r = them.post("/invitation/", data)
    assert r.status_code == 302 and r.url == f"/t/{tenant.code}/"
    nina = Membership.objects.get(tenant=tenant, user__username="nina").user
    assert nina.email == "new.person@example.com" and nina.check_password("a-g00d-passphrase")
    assert them.get(r.url).status_code == 302  # signed in: on to their start page
    assert AuditEntry.objects.filter(action="member.signup", target="nina").exists()


def test_decline_withdraw_and_a_newer_link(client, admin, supervisor, tenant):
    client.force_login(admin)
    invite(client, tenant, "pat@example.com")
    first, _t = last_link().groups()
    invite(client, tenant, "pat@example.com", role="admin")  # sent again: the old link stops
    second, _t = last_link().groups()
    assert Invitation.objects.get().role == Role.ADMIN
    them = Client()
    them.get(first)
    assert them.get("/invitation/").status_code == 410
    them.get(second)
    r = them.post("/invitation/", {"action": "decline"})
    assert r.status_code == 302 and not Invitation.objects.exists()
    assert AuditEntry.objects.filter(action="member.decline", target="pat@example.com").exists()

    invite(client, tenant, "pat@example.com")
    code = Invitation.objects.get().code
    withdraw = f"/t/{tenant.code}/people/invitations/{code}/withdraw/"
    sup = Client()
    sup.force_login(supervisor)
    assert "pat@example.com" in sup.get(f"/t/{tenant.code}/people/").content.decode()
    assert sup.post(withdraw).status_code == 403
    assert client.post(withdraw).status_code == 302 and not Invitation.objects.exists()
    assert client.post(withdraw).status_code == 404
    assert AuditEntry.objects.filter(action="member.uninvite").count() == 1


def test_an_expired_link_and_a_present_member(client, admin, tenant, settings):
    admin.email = "alice@example.com"
    admin.save()
    client.force_login(admin)
    r = invite(client, tenant, "ALICE@example.com")
    assert r.status_code == 200 and "already has the address" in r.content.decode()
    assert not mail.outbox
    invite(client, tenant, "late@example.com")
    path, _t = last_link().groups()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    them = Client()
    them.get(path)
    r = them.get("/invitation/")
    assert r.status_code == 410 and "no longer valid" in r.content.decode()
    assert Client().get("/invitation/").status_code == 410  # no token at all
    bad = invite(client, tenant, "not an address")
    assert bad.status_code == 200 and "Enter a valid email address" in bad.content.decode()


def test_invitations_per_tenant_are_limited(client, admin, tenant, monkeypatch):
    monkeypatch.setattr(invitations, "PER_TENANT_PER_HOUR", 2)
    client.force_login(admin)
    for n in range(2):
        assert invite(client, tenant, f"p{n}@example.com").status_code == 302
    r = invite(client, tenant, "p3@example.com")
    assert r.status_code == 200 and "invitations in the last hour" in r.content.decode()
    assert len(mail.outbox) == 2


def test_no_log_line_carries_the_invitation_token(client, admin, tenant, caplog):
    client.force_login(admin)
    invite(client, tenant, "logs@example.com")
    path, token = last_link().groups()
    with caplog.at_level(logging.DEBUG):
        Client().get(path)
        Client().post(path)  # 405: logged by django.request with its path
        Client().get("/invitation/not-a-token/")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    logged += "\n".join(caplog.handler.format(r) for r in caplog.records)
    assert "/invitation/" in logged and token not in logged and "not-a-token" not in logged


def test_a_person_lands_on_the_tenant_they_opened_last(client, admin, tenant, other_tenant):
    Membership.objects.create(tenant=other_tenant, user=admin, role=Role.SUPERVISOR)
    client.force_login(admin)
    assert client.get(f"/t/{other_tenant.code}/people/").status_code == 200
    fresh = Client()  # a new sign-in: a new session, no tenant remembered in it
    fresh.force_login(admin)
    assert fresh.get("/").url == f"/t/{other_tenant.code}/"
    fresh.get(f"/t/{tenant.code}/people/")
    again = Client()
    again.force_login(admin)
    assert again.get("/").url == f"/t/{tenant.code}/"
