"""Tokens are renewed from the lifetime AICC granted (its `Expires`), not the one the tenant asked
for: AICC may grant less (aicc-api.md section 1), and renewing from the asked-for lifetime made the
console fetch a new token before every request."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from calls import tokens
from calls.aicc.results import Token
from calls.aicc.simulator import Account
from calls.models import AiccToken
from calls.services import placing
from console.models import Membership, SoftphoneMapping, Tenant

pytestmark = pytest.mark.django_db

GRANT = 5  # seconds the simulator grants, whatever the tenant asks (600 by default)


@pytest.fixture
def short_grant(sim, simctl, manager):
    """A tenant whose AICC account grants tokens of GRANT seconds only."""
    sim.state.add_account(
        Account(app_key="short-key", app_secret="short-secret-value", max_token_lifetime=GRANT)
    )
    tenant = Tenant.objects.create(
        name="Short",
        slug="short",
        aicc_base_url=sim.url,
        app_key="short-key",
        app_secret="short-secret-value",
    )
    Membership.objects.create(tenant=tenant, user=manager, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=manager, softphone="10001")
    return Membership.objects.select_related("tenant").get(tenant=tenant, user=manager)


def fetches(simctl) -> int:
    return simctl.get("stats")["token_fetches"].get("short-key", 0)


def place(membership, n: int):
    return placing.call_place(
        membership=membership,
        mapping=membership.active_mapping,
        called=f"1380000{n:04d}",
        idempotency_key=f"renewal-key-{n:04d}",
        replace_live=True,  # one after the other: the earlier call is still live
    ).call


def test_a_short_grant_is_fetched_once_and_renewed_shortly_before_it_expires(short_grant, simctl):
    started = time.monotonic()
    calls = []
    for n in range(8):  # over about 3.5 s, well inside the 5 s grant
        calls.append(place(short_grant, n))
        time.sleep(0.5)
        if time.monotonic() - started > GRANT - 1:
            break
    assert all(c.status == "placed" for c in calls)
    assert fetches(simctl) == 1, "one token for every call within its lifetime"
    row = AiccToken.objects.get(tenant=short_grant.tenant)
    assert row.lifetime == GRANT  # what AICC granted, not the 600 s asked for
    first_expiry = row.expires_at

    # Renewed a small fraction (a tenth, here 0.5 s) before the grant runs out, not after.
    renew_from = first_expiry - timedelta(seconds=GRANT / 10)
    time.sleep(max(0.0, (renew_from - datetime.now(UTC)).total_seconds() + 0.1))
    call = place(short_grant, 99)
    assert call.status == "placed"
    assert fetches(simctl) == 2
    row.refresh_from_db()
    assert row.fetched_at < first_expiry and row.expires_at > first_expiry


def test_freshness_follows_the_granted_lifetime(monkeypatch):
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return now

    monkeypatch.setattr(tokens, "datetime", Clock)
    granted_5s = Token(access_token="t", expires_at=now + timedelta(seconds=4), lifetime=5)
    # 4 s left of a 5 s grant: fresh, although the tenant asked for 600 s (a 60 s margin).
    assert tokens._fresh(granted_5s, 600)
    assert not tokens._fresh(
        Token(access_token="t", expires_at=now + timedelta(seconds=0.4), lifetime=5), 600
    )
    # A long grant keeps a 60 s margin.
    assert not tokens._fresh(
        Token(access_token="t", expires_at=now + timedelta(seconds=59), lifetime=3600), 600
    )
    # A row stored before the grant was kept (lifetime 0): the asked-for lifetime stands in.
    assert not tokens._fresh(
        Token(access_token="t", expires_at=now + timedelta(seconds=59), lifetime=0), 600
    )
    assert not tokens._fresh(None, 600)
