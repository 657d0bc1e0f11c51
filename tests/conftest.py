"""The standard cast (after healthchecks' alice/bob/charlie), each a fixture so a test builds
only what it uses, plus an AICC simulator on a free loopback port for the whole session."""

import pytest
from django.contrib.auth.models import User

from calls.aicc.simulator import Account, Simulator
from console.models import Membership, SoftphoneMapping, Tenant

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hasher_and_fresh_token_memo(settings):
    from calls import tokens

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tokens.clear_memo()
    yield
    tokens.clear_memo()


@pytest.fixture(scope="session")
def sim():
    accounts = [
        Account(app_key="acme-key", app_secret="acme-secret-value-1"),
        Account(app_key="other-key", app_secret="other-secret-value-2"),
    ]
    s = Simulator(host="127.0.0.1", port=0, accounts=accounts, time_scale=0.01).start()
    yield s
    s.stop()


@pytest.fixture
def simctl(sim):
    """Reset the simulator around a test and give a small helper to steer it."""
    import requests

    class Ctl:
        url = sim.url
        state = sim.state

        def post(self, path, **body):
            r = requests.post(f"{sim.url}/__sim/{path}", json=body, timeout=5)
            r.raise_for_status()
            return r.json() if r.content else None

        def get(self, path):
            r = requests.get(f"{sim.url}/__sim/{path}", timeout=5)
            r.raise_for_status()
            return r.json()

        def scenario(self, **body):
            return self.post("scenario", **body)

    ctl = Ctl()
    ctl.post("reset")
    yield ctl
    ctl.post("reset")


def make_user(username, **extra):
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def tenant(db, sim):
    return Tenant.objects.create(
        name="Acme",
        slug="acme",
        aicc_base_url=sim.url,
        app_key="acme-key",
        app_secret="acme-secret-value-1",
        access_codes="4001234567",
    )


@pytest.fixture
def other_tenant(db, sim):
    return Tenant.objects.create(
        name="Other",
        slug="other",
        aicc_base_url=sim.url,
        app_key="other-key",
        app_secret="other-secret-value-2",
        access_codes="4001234567",
    )


@pytest.fixture
def admin(tenant):
    u = make_user("alice", first_name="Alice")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.ADMIN)
    return u


@pytest.fixture
def supervisor(tenant):
    u = make_user("sam", first_name="Sam")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.SUPERVISOR)
    return u


@pytest.fixture
def manager(tenant):
    u = make_user("bob", first_name="Bob")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(
        tenant=tenant, user=u, softphone="10001", calling_number="13900000001"
    )
    return u


@pytest.fixture
def manager_membership(manager, tenant):
    return Membership.objects.select_related("tenant").get(user=manager, tenant=tenant)


@pytest.fixture
def outsider(other_tenant):
    u = make_user("charlie", first_name="Charlie")
    Membership.objects.create(tenant=other_tenant, user=u, role=Membership.Role.ADMIN)
    return u
