"""The follow-up services: who may schedule for whom, the number's and note's rules, each change
audited, closing once, and the wrap-up's completion of the follow-up a call was placed from."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls.models import FollowUp
from calls.services import followups as svc
from console.models import AuditEntry
from tests.followups.conftest import make_call, make_follow_up, membership

pytestmark = pytest.mark.django_db


def soon(hours=2):
    return timezone.now() + timedelta(hours=hours)


def errors_of(excinfo) -> set:
    return set(excinfo.value.error_dict)


def test_a_manager_schedules_for_themselves_by_default(tenant, manager):
    m = membership(manager, tenant)
    f = svc.follow_up_schedule(
        membership=m, called="138-0000 0001", due_at=soon(), note="  price list  "
    )
    f.refresh_from_db()
    assert (f.assignee, f.created_by, f.status) == (manager, manager, "open")
    assert f.called == "13800000001"  # the call form's rules: separators dropped
    assert f.note == "price list"
    entry = AuditEntry.objects.get(action="follow_up.schedule")
    assert entry.actor == manager and entry.changes["assignee"] == [None, "bob"]


def test_a_manager_cannot_assign_a_colleague(tenant, manager, manager2):
    with pytest.raises(ValidationError) as e:
        svc.follow_up_schedule(
            membership=membership(manager, tenant), called="13800000001", due_at=soon(),
            assignee=manager2,
        )  # fmt: skip
    assert errors_of(e) == {"assignee"}
    assert not FollowUp.objects.exists()


def test_a_supervisor_assigns_any_manager_but_nobody_else(tenant, supervisor, manager, admin):
    m = membership(supervisor, tenant)
    f = svc.follow_up_schedule(membership=m, called="13800000001", due_at=soon(), assignee=manager)
    assert f.assignee == manager and f.created_by == supervisor
    for nobody in (admin, supervisor):  # not customer managers: they place no calls
        with pytest.raises(ValidationError) as e:
            svc.follow_up_schedule(
                membership=m, called="13800000001", due_at=soon(), assignee=nobody
            )
        assert errors_of(e) == {"assignee"}
    with pytest.raises(ValidationError) as e:  # no call to take the manager from: say whom
        svc.follow_up_schedule(membership=m, called="13800000001", due_at=soon())
    assert errors_of(e) == {"assignee"}


def test_a_supervisor_scheduling_from_a_call_assigns_its_manager(tenant, supervisor, manager):
    call = make_call(tenant, manager)
    f = svc.follow_up_schedule(
        membership=membership(supervisor, tenant), called=call.called, due_at=soon(),
        source_call=call,
    )  # fmt: skip
    assert f.assignee == manager and f.source_call == call


def test_another_tenants_manager_cannot_be_assigned(tenant, other_tenant, supervisor, outsider):
    with pytest.raises(ValidationError) as e:
        svc.follow_up_schedule(
            membership=membership(supervisor, tenant), called="13800000001", due_at=soon(),
            assignee=outsider,
        )  # fmt: skip
    assert errors_of(e) == {"assignee"}


def test_every_wrong_value_is_named(tenant, manager):
    with pytest.raises(ValidationError) as e:
        svc.follow_up_schedule(
            membership=membership(manager, tenant),
            called="12",  # shorter than the tenant's 5 digits
            due_at=timezone.now() - timedelta(hours=1),
            note="x" * 2001,
        )
    assert errors_of(e) == {"called", "due_at", "note"}
    with pytest.raises(ValidationError) as e:
        svc.follow_up_schedule(
            membership=membership(manager, tenant), called="13800000001",
            due_at=timezone.now() + timedelta(days=800),
        )  # fmt: skip
    assert errors_of(e) == {"due_at"}


def test_reschedule_moves_it_and_announces_it_again(tenant, manager):
    m = membership(manager, tenant)
    f = make_follow_up(tenant, manager, due_notified_at=timezone.now())
    new = soon(30)
    svc.follow_up_reschedule(membership=m, follow_up=f, due_at=new, note="after the holiday")
    f.refresh_from_db()
    assert (f.due_at, f.note, f.due_notified_at) == (new, "after the holiday", None)
    entry = AuditEntry.objects.get(action="follow_up.reschedule")
    assert entry.changes["note"] == "changed"  # the note's words stay out of the audit log
    assert entry.changes["due_at"][1] == new.isoformat()


def test_cancel_needs_a_reason_and_closes_once(tenant, manager, supervisor):
    f = make_follow_up(tenant, manager)
    m = membership(manager, tenant)
    with pytest.raises(ValidationError) as e:
        svc.follow_up_cancel(membership=m, follow_up=f, reason="  ")
    assert errors_of(e) == {"reason"}
    svc.follow_up_cancel(membership=m, follow_up=f, reason="bought elsewhere")
    f.refresh_from_db()
    assert (f.status, f.cancel_reason) == ("cancelled", "bought elsewhere")
    assert f.done_at is not None
    stale = FollowUp.objects.get(pk=f.pk)
    stale.status = "open"  # a second tab that loaded it before
    with pytest.raises(svc.NotOpen):
        svc.follow_up_done(membership=membership(supervisor, tenant), follow_up=stale)
    assert FollowUp.objects.get(pk=f.pk).status == "cancelled"
    assert AuditEntry.objects.filter(action__startswith="follow_up.").count() == 1


def test_a_manager_cannot_change_a_colleagues_follow_up(tenant, manager, manager2):
    theirs = make_follow_up(tenant, manager2)
    with pytest.raises(svc.PermissionDenied):
        svc.follow_up_done(membership=membership(manager, tenant), follow_up=theirs)


def test_the_wrap_up_completes_the_follow_up_the_call_was_placed_from(tenant, manager):
    f = make_follow_up(tenant, manager)
    other = make_follow_up(tenant, manager)
    call = make_call(tenant, manager)
    svc.follow_up_placed(f, call)
    assert svc.follow_ups_complete_for_call(call) == [f]
    f.refresh_from_db()
    other.refresh_from_db()
    assert (f.status, f.placed_call) == ("done", call)
    assert other.status == "open"
    assert AuditEntry.objects.get(action="follow_up.done").actor == manager
    assert svc.follow_ups_complete_for_call(call) == []  # once


def test_the_wrap_up_can_reschedule_it_instead(tenant, manager):
    f = make_follow_up(tenant, manager, due_notified_at=timezone.now())
    call = make_call(tenant, manager)
    svc.follow_up_placed(f, call)
    later = soon(48)
    svc.follow_ups_complete_for_call(call, reschedule_to=later)
    f.refresh_from_db()
    assert (f.status, f.due_at, f.due_notified_at) == ("open", later, None)


def test_a_failed_call_is_not_linked(tenant, manager):
    f = make_follow_up(tenant, manager)
    call = make_call(tenant, manager, status="failed")
    svc.follow_up_placed(f, call)
    f.refresh_from_db()
    assert f.placed_call is None
