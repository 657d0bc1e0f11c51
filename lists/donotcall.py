"""The do-not-call part of a list's import report: which of the imported numbers the tenant
does not want called, and why (the guardrails' list, guardrails.models.DoNotCall). Such numbers
are left out of the list and reported with their line; the pre-flight would refuse them anyway.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from console.models import Tenant
from guardrails.models import DoNotCall

BATCH = 5000  # numbers per query (under SQLite's and PostgreSQL's parameter limits)


def blocked_numbers(tenant: Tenant, numbers: set[str]) -> dict[str, str]:
    """{E.164 number: the reason it must not be called} for those of `numbers` (E.164) on the
    tenant's do-not-call list and not expired. One query per BATCH numbers."""
    wanted = sorted(n for n in numbers if n)
    now = timezone.now()
    found = {}
    for i in range(0, len(wanted), BATCH):
        rows = (
            DoNotCall.objects.filter(tenant=tenant, number__in=wanted[i : i + BATCH])
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values_list("number", "reason")
        )
        for number, reason in rows:
            found[number] = reason or _("no reason given")
    return found
