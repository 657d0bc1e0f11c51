"""`manage.py seed_demo_lists` (make run): the demo's call list for the managers' pool, its
do-not-call number left out, and nothing more on a second run."""

from django.core.management import call_command

from guardrails.models import DoNotCall
from lists.models import CallList, ListEntry


def test_the_demo_list_is_seeded_once(tenant, supervisor, manager):
    call_command("seed_demo_lists", "--tenant", tenant.slug)
    call_command("seed_demo_lists", "--tenant", tenant.slug)
    [call_list] = CallList.objects.filter(tenant=tenant)
    assert call_list.owner == supervisor and list(call_list.members.all()) == [manager]
    numbers = set(
        ListEntry.objects.filter(list=call_list).values_list("customer_number", flat=True)
    )
    assert len(numbers) == 5 and "+8613812340003" not in numbers
    assert DoNotCall.objects.filter(tenant=tenant, number="+8613812340003").count() == 1
    first = ListEntry.objects.get(list=call_list, customer_number="+8613800001234")
    assert first.extra == {"Contract end": "2026-12-04"} and first.priority == 2
