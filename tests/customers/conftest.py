import pytest
from django.contrib.auth.models import User

from console.models import Membership, SoftphoneMapping
from customers.models import Customer, CustomerNumber
from tests.conftest import PASSWORD


@pytest.fixture
def colleague(tenant):
    """A second customer manager of the tenant."""
    u = User.objects.create_user(username="carol", password=PASSWORD, first_name="Carol")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=u, softphone="10002")
    return u


def make_customer(tenant, name="Li Lei", numbers=("+8613800001234",), **fields):
    customer = Customer.objects.create(
        tenant=tenant, name=name, primary_number=numbers[0], **fields
    )
    for n in numbers:
        CustomerNumber.objects.create(tenant=tenant, customer=customer, number=n)
    return customer
