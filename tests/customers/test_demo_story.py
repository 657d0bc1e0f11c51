"""The demo history's after-call story (calls/demo_story.py, run by `manage.py seed_history`):
the ended calls wrapped up as they ended, a few saved customers called again and again, and open
follow-ups overdue, due today and due tomorrow; the same every time."""

import random

import pytest
from django.core.management import call_command

from calls import demo_story
from calls.aicc.reasons import Group
from calls.call_status import answered
from calls.followup_selectors import listing
from calls.management.commands.seed_history import fake_calls
from calls.models import Call, FollowUp, WrapUp
from calls.services.dispositions import disposition_for_outcome, dispositions_of
from console.models import Membership
from customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tenant, manager, colleague):
    call_command("seed_history", tenant="acme", calls=400, days=10, stdout=None)
    return Call.objects.filter(tenant=tenant).select_related("wrap_up__disposition")


def test_every_ended_call_is_wrapped_up_as_it_ended(tenant, seeded):
    ds = dispositions_of(tenant)
    ended = [c for c in seeded if c.status == "placed" and c.state == 3 and c.outcome_code]
    assert len(ended) > 200
    for call in ended:
        wrap = getattr(call, "wrap_up", None)
        if answered(call):
            assert call.wrapup_state == "done" and wrap.author_id == call.user_id
            assert wrap.disposition.group == "connected" and not wrap.automatic
        elif call.outcome().group == Group.CALLER_PHONE:
            assert call.wrapup_state == "phone" and wrap is None
        else:
            assert call.wrapup_state == "auto" and wrap.automatic and wrap.author_id is None
            assert wrap.disposition == disposition_for_outcome(ds, call.outcome())
        if wrap is not None:  # mirrored on the call, with its first change
            assert call.disposition_id == wrap.disposition_id
            assert call.has_note == bool(wrap.note)
            assert wrap.changes.get().after["disposition"] == wrap.disposition_id
    others = [c for c in seeded if c not in ended]
    assert all(c.wrapup_state == "" and getattr(c, "wrap_up", None) is None for c in others)
    notes = WrapUp.objects.exclude(note="")
    assert 10 < notes.count() < len(ended) / 2
    assert notes.filter(note_private=True).count() <= 1


def test_saved_customers_with_their_calls_and_open_follow_ups(tenant, manager, colleague, seeded):
    customers = Customer.objects.filter(tenant=tenant)
    assert customers.count() == len(demo_story.CUSTOMERS)
    li = customers.get(name="Li Lei")
    assert sorted(li.numbers.values_list("number", flat=True)) == [
        "+8613700001234",
        "+8613800001234",
    ]
    assert seeded.filter(customer_number__in=["+8613700001234", "+8613800001234"]).count() >= 2
    mine = Membership.objects.select_related("tenant").get(user=manager, tenant=tenant)
    groups = {g.name: g.total for g in listing(mine).groups}
    assert groups == {"overdue": 1, "today": 1, "upcoming": 1}
    theirs = Membership.objects.select_related("tenant").get(user=colleague, tenant=tenant)
    assert {g.name: g.total for g in listing(theirs).groups}["today"] == 1
    assert FollowUp.objects.filter(tenant=tenant, status="open").count() == 4


def test_the_same_story_every_time(tenant, manager, colleague):
    people = [(manager, "10001", ""), (colleague, "10002", "")]

    def story():
        calls = fake_calls(tenant, people, 300, 10)
        rng = random.Random(2027)
        demo_story.repeat_customers(tenant, calls, rng)
        wraps = demo_story.wrap_up_calls(tenant, calls, rng).wraps
        return [(c.called, c.wrapup_state, c.disposition_id) for c in calls], {
            i: (w.note, w.note_private) for i, (w, _after) in wraps.items()
        }

    assert story() == story()


def test_seeding_again_changes_nothing(tenant, seeded):
    counts = (WrapUp.objects.count(), Customer.objects.count(), FollowUp.objects.count())
    call_command("seed_history", tenant="acme", calls=400, days=10, stdout=None)
    assert (WrapUp.objects.count(), Customer.objects.count(), FollowUp.objects.count()) == counts
