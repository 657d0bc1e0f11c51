"""Call next (issue 19): the queue's order, claims, calling an entry, and the fates the wrap-up
gives it (lists/queue.py, lists/fates.py). Calls go to the AICC simulator."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from calls.services.wrapup import wrapup_save
from console.models import Membership, SoftphoneMapping
from lists import queue
from lists.models import ListEntry
from tests.calls.test_wrapup import disposition, end
from tests.conftest import make_user
from tests.lists.factories import add_entry, make_list

pytestmark = pytest.mark.django_db
Status = ListEntry.Status


@pytest.fixture
def m1(manager, tenant):
    return Membership.objects.select_related("tenant", "user").get(user=manager, tenant=tenant)


@pytest.fixture
def m2(tenant):
    u = make_user("dora")
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=u, softphone="10002")
    return Membership.objects.select_related("tenant", "user").get(user=u, tenant=tenant)


@pytest.fixture(autouse=True)
def _ctl(simctl):
    global CTL
    CTL = simctl


def call_it(m, entry):
    CTL.post("reset")  # the softphone carries one call at a time: the last one is over
    entry = queue.entry_of(m, entry.code)
    placed = queue.entry_call(
        membership=m,
        mapping=m.active_mapping,
        entry=entry,
        idempotency_key=f"k-{entry.pk}-{entry.attempts}",
    )
    entry.refresh_from_db()
    return placed.call, entry


def test_the_queue_order_is_mine_first_then_due_window_then_priority_then_age(tenant, m1, m2):
    cl = make_list(tenant, members=[m1.user, m2.user])
    now = timezone.now()
    old = add_entry(cl)  # no due window, priority 0: last of the pool
    urgent = add_entry(cl, due_end=now + timedelta(hours=1))
    later = add_entry(cl, due_end=now + timedelta(days=1))
    later_high = add_entry(cl, due_end=now + timedelta(days=1), priority=5)
    mine = add_entry(cl, assigned_to=m1.user, due_end=now + timedelta(days=9))
    add_entry(cl, assigned_to=m2.user, due_end=now)  # dora's: never offered to bob
    not_yet = add_entry(
        cl, due_start=now + timedelta(hours=2), available_at=now + timedelta(hours=2)
    )
    got = []
    while (e := queue.claim_next(m1)) is not None:
        got.append(e.pk)
        ListEntry.objects.filter(pk=e.pk).update(status=Status.DONE, queued=False)
    assert got == [mine.pk, urgent.pk, later_high.pk, later.pk, old.pk]
    assert not_yet.pk not in got


def test_a_claim_holds_the_entry_and_expires(tenant, m1, m2):
    cl = make_list(tenant, members=[m1.user, m2.user])
    first, second = add_entry(cl), add_entry(cl)
    a = queue.claim_next(m1)
    assert a.pk == first.pk
    assert queue.claim_next(m1).pk == first.pk  # the same again: it is bob's current one
    assert queue.claim_next(m2).pk == second.pk  # dora gets the next one
    assert queue.claim_next(m2).pk == second.pk
    # Bob's hold expires without a call: it goes to whoever asks next.
    ListEntry.objects.filter(pk=first.pk).update(
        claim_expires_at=timezone.now() - timedelta(seconds=1)
    )
    ListEntry.objects.filter(pk=second.pk).update(status=Status.DONE, queued=False)
    assert queue.claim_next(m2).pk == first.pk
    with pytest.raises(queue.EntryRefused) as e:
        call_it(m1, first)
    assert e.value.code == "not_yours"


def test_a_paused_list_or_one_outside_its_dates_offers_nothing(tenant, m1):
    cl = make_list(tenant, members=[m1.user], paused=True)
    entry = add_entry(cl)
    assert queue.claim_next(m1) is None
    cl.paused = False
    cl.starts_on = date.today() + timedelta(days=2)
    cl.save()
    assert queue.claim_next(m1) is None
    cl.starts_on, cl.ends_on = None, date.today() - timedelta(days=2)
    cl.save()
    assert queue.claim_next(m1) is None
    cl.ends_on = None
    cl.save()
    assert queue.claim_next(m1).pk == entry.pk
    # Paused while it is held: the entry is not called.
    cl.paused = True
    cl.save()
    with pytest.raises(queue.EntryRefused) as e:
        call_it(m1, entry)
    assert e.value.code == "paused"
    assert not Call.objects.exists()


def test_only_the_lists_pool_draws_from_it(tenant, m1, m2):
    cl = make_list(tenant, members=[m2.user])
    add_entry(cl)
    assert queue.claim_next(m1) is None
    assert queue.claim_next(m2) is not None


def test_calling_counts_an_attempt_and_the_wrap_up_decides(tenant, m1):
    cl = make_list(tenant, members=[m1.user], retry_minutes=30, max_attempts=3)
    entry = add_entry(cl, number="13800000001")
    assert queue.claim_next(m1).pk == entry.pk
    call, entry = call_it(m1, entry)
    assert call.status == Call.Status.PLACED and call.called == "13800000001"
    # Until a wrap-up says otherwise: in retry after the interval, and held (not offered).
    assert (
        entry.attempts == 1 and entry.last_call_id == call.pk and entry.worked_by_id == m1.user_id
    )
    assert entry.status == Status.RETRY and entry.claimed_by_id == m1.user_id
    assert queue.claim_next(m1) is None
    call = end(call)
    wrapup_save(call=call, membership=m1, disposition=disposition(tenant, "call_back"))
    entry.refresh_from_db()
    assert entry.status == Status.RETRY and entry.claimed_by_id is None
    assert entry.available_at == entry.last_attempt_at + timedelta(minutes=30)
    assert queue.claim_next(m1) is None  # not before the interval
    ListEntry.objects.filter(pk=entry.pk).update(available_at=timezone.now())
    assert queue.claim_next(m1).pk == entry.pk
    call, entry = call_it(m1, entry)
    wrapup_save(call=end(call), membership=m1, disposition=disposition(tenant, "interested"))
    entry.refresh_from_db()
    assert entry.status == Status.DONE and entry.attempts == 2 and not entry.queued
    # A change of that wrap-up decides again.
    wrapup_save(call=call, membership=m1, disposition=disposition(tenant, "not_interested"))
    entry.refresh_from_db()
    assert entry.status == Status.CLOSED


def test_not_answered_calls_are_wrapped_up_automatically_into_retry_then_closed(tenant, m1):
    cl = make_list(tenant, members=[m1.user], max_attempts=2, retry_minutes=5)
    entry = add_entry(cl)
    for attempt in (1, 2):
        assert queue.claim_next(m1).pk == entry.pk
        call, entry = call_it(m1, entry)
        call = end(call, code="3", talk=0)  # no answer: wrapped up automatically
        assert call.wrapup_state == "auto" and call.disposition.key == "no_answer"
        entry.refresh_from_db()
        assert entry.attempts == attempt
        if attempt == 1:
            assert entry.status == Status.RETRY and entry.queued
            ListEntry.objects.filter(pk=entry.pk).update(available_at=timezone.now())
    assert entry.status == Status.CLOSED and not entry.queued  # at its maximum attempts
    assert queue.claim_next(m1) is None


def test_not_interested_closes_and_a_wrap_up_of_an_earlier_attempt_decides_nothing(tenant, m1):
    cl = make_list(tenant, members=[m1.user], retry_minutes=1)
    entry = add_entry(cl)
    queue.claim_next(m1)
    first, entry = call_it(m1, entry)
    first = end(first)
    ListEntry.objects.filter(pk=entry.pk).update(
        available_at=timezone.now(), claimed_by=None, claim_expires_at=None
    )
    queue.claim_next(m1)
    second, entry = call_it(m1, entry)
    wrapup_save(call=first, membership=m1, disposition=disposition(tenant, "interested"))
    entry.refresh_from_db()
    assert entry.status == Status.RETRY  # the first call's wrap-up is not the entry's fate
    wrapup_save(call=end(second), membership=m1, disposition=disposition(tenant, "not_interested"))
    entry.refresh_from_db()
    assert entry.status == Status.CLOSED


def test_a_call_that_failed_is_no_attempt_and_the_manager_keeps_the_entry(tenant, m1):
    tenant.app_key = ""
    tenant.save()
    m1.tenant = tenant
    cl = make_list(tenant, members=[m1.user])
    entry = add_entry(cl)
    queue.claim_next(m1)
    call, entry = call_it(m1, entry)
    assert call.status == Call.Status.FAILED
    assert entry.attempts == 0 and entry.status == Status.OPEN
    assert queue.current_claim(m1).pk == entry.pk


def test_skipping_puts_it_back_after_the_interval_without_an_attempt(tenant, m1, m2):
    cl = make_list(tenant, members=[m1.user, m2.user], retry_minutes=10)
    entry = add_entry(cl)
    queue.claim_next(m1)
    assert queue.entry_skip(m1, queue.entry_of(m1, entry.code))
    entry.refresh_from_db()
    assert entry.attempts == 0 and entry.claimed_by_id is None
    assert entry.available_at > timezone.now() + timedelta(minutes=9)
    assert queue.claim_next(m2) is None
    assert not queue.entry_skip(m2, queue.entry_of(m2, entry.code))  # not dora's to skip


def test_fates_of_the_default_and_added_dispositions(tenant):
    from calls.models import Disposition
    from lists.fates import CLOSED, DONE, RETRY, fate_of

    want = {
        "interested": DONE,
        "call_back": RETRY,
        "not_interested": CLOSED,
        "wrong_person": RETRY,
        "no_answer": RETRY,
        "busy": RETRY,
        "invalid_number": CLOSED,
    }
    assert {k: fate_of(disposition(tenant, k)) for k in want} == want
    added = Disposition(tenant=tenant, key="sold", group=Disposition.Kind.CONNECTED)
    assert fate_of(added) == DONE
    added.group = Disposition.Kind.NOT_CONNECTED
    assert fate_of(added) == RETRY
