import pytest

from api import tokens
from console.models import Membership
from tests.console.test_log_secrets import everything_logged  # noqa: F401 - a fixture, shared


def membership_of(user, tenant):
    return Membership.objects.select_related("tenant", "user").get(user=user, tenant=tenant)


@pytest.fixture
def token_for():
    """token_for(user, tenant, **issue_kwargs) -> the token in clear."""

    def make(user, tenant, **kwargs):
        kwargs.setdefault("name", "test")
        kwargs.setdefault("expires_days", None)
        return tokens.issue(membership=membership_of(user, tenant), actor=None, **kwargs).token

    return make


@pytest.fixture
def bearer():
    def headers(token):
        return {"Authorization": f"Bearer {token}"}

    return headers
