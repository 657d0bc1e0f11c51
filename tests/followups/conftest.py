from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, FollowUp
from console.models import Membership, SoftphoneMapping
from tests.conftest import make_user


@pytest.fixture
def manager2(tenant):
    u = make_user("mia", first_name="Mia")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=u, softphone="10002")
    return u


def membership(user, tenant):
    return Membership.objects.select_related("tenant", "user").get(user=user, tenant=tenant)


def make_follow_up(tenant, assignee, *, due_in=timedelta(hours=1), due_at=None, **extra):
    """A follow-up written straight to the table (any due time: the services refuse past ones)."""
    extra.setdefault("called", "13800000000")
    return FollowUp.objects.create(
        tenant=tenant,
        assignee=assignee,
        created_by=assignee,
        due_at=due_at or timezone.now() + due_in,
        **extra,
    )


def make_call(tenant, user, called="13800000000", **extra):
    extra.setdefault("status", Call.Status.PLACED)
    return Call.objects.create(
        tenant=tenant,
        user=user,
        softphone="10001",
        called=called,
        idempotency_key=f"k-{Call.objects.count()}",
        **extra,
    )


@pytest.fixture
def token_for():
    """token_for(user, tenant) -> an API token in clear (as tests/api/conftest.py's)."""
    from api import tokens

    def make(user, tenant):
        m = membership(user, tenant)
        return tokens.issue(membership=m, name="test", expires_days=None, actor=None).token

    return make


@pytest.fixture
def bearer():
    return lambda token: {"Authorization": f"Bearer {token}"}
