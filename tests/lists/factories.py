"""Call lists for the tests: a list with entries, made as an import would."""

from itertools import count

from django.utils import timezone

from lists.models import NO_DUE_END, CallList, ListEntry

_numbers = count(13700000000)


def make_list(tenant, *, members=(), **fields) -> CallList:
    cl = CallList.objects.create(tenant=tenant, name=fields.pop("name", "Renewals"), **fields)
    cl.members.set(members)
    return cl


def add_entry(cl, number=None, **fields) -> ListEntry:
    number = number or str(next(_numbers))
    end = fields.get("due_end")
    values = {
        "tenant_id": cl.tenant_id,
        "list": cl,
        "number": number,
        "customer_number": "+86" + number,
        "sort_due": end or NO_DUE_END,
        "available_at": fields.pop("available_at", None) or timezone.now(),
        **fields,
    }
    return ListEntry.objects.create(**values)
