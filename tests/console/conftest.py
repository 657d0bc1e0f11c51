"""Fixtures for the tenant admin pages."""

import pytest

from tests.conftest import make_user


@pytest.fixture
def other_manager(other_tenant):
    """A customer manager of the other tenant, with a softphone there."""
    from console.models import Membership, SoftphoneMapping

    u = make_user("olga", first_name="Olga")
    Membership.objects.create(tenant=other_tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=other_tenant, user=u, softphone="10005")
    return u


@pytest.fixture
def manager2(tenant):
    from console.models import Membership

    u = make_user("mia", first_name="Mia", email="mia@example.com")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    return u


@pytest.fixture
def make_manager(tenant):
    """Make another customer manager of `tenant`: make_manager("nina", email=...)."""
    from console.models import Membership

    def make(username, **extra):
        u = make_user(username, **extra)
        Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
        return u

    return make
