"""A tenant's customers: an optional record (name, company, notes, the CRM's id) for one or more
numbers. Every number of a customer, the primary one included, is a CustomerNumber row, unique in
the tenant: one number is one customer. Numbers are E.164 (customers/numbers.py)."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from console.models import Tenant

NAME_MAX = 200


class Customer(models.Model):
    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in page URLs
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="customers")
    name = models.CharField(_("name"), max_length=NAME_MAX)
    company = models.CharField(_("company"), max_length=NAME_MAX, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    crm_id = models.CharField(_("CRM id"), max_length=100, blank=True)
    # The number the customer is called on first (also one of its CustomerNumber rows).
    primary_number = models.CharField(_("number"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The directory's order and its keyset pages (customers/selectors.py).
            models.Index(fields=["tenant", "name", "id"], name="customer_tenant_name"),
            models.Index(fields=["tenant", "crm_id"], name="customer_tenant_crm"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerNumber(models.Model):
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="numbers")
    number = models.CharField(_("number"), max_length=20)  # E.164

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="customer_number_unique")
        ]

    def __str__(self) -> str:
        return self.number
