"""After-call work (issue 18): dispositions, wrap-ups kept on the server, automatic wrap-ups of
calls never connected, the edit window, the change history, comments, and the refusal to call
while wrap-ups are pending."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from calls.models import Call, Disposition, WrapUp, WrapUpChange, WrapUpComment
from calls.services.outcomes import OutcomeData, outcome_apply
from calls.services.placing import call_place
from calls.services.wrapup import (
    NOTE_MAX,
    WrapUpRefused,
    pending_of,
    wrapup_comment,
    wrapup_save,
)
from console.models import AuditEntry, Membership, Tenant

pytestmark = pytest.mark.django_db
serials = count(1000000000000000001)


def placed(tenant, user, called="13800000000", call_type="AICC"):
    return Call.objects.create(
        tenant=tenant,
        user=user,
        softphone="10001",
        called=called,
        idempotency_key=f"k{next(serials)}",
        status=Call.Status.PLACED,
        serial=str(next(serials)),
        call_type=call_type,
    )


def end(call, code="0", talk=26):
    """The call's release event arrives (the one place outcomes are stored)."""
    now = timezone.now()
    data = OutcomeData(
        code=code,
        talking_at=now - timedelta(seconds=talk) if talk else None,
        released_at=now,
        talk_seconds=talk if talk else None,
    )
    assert outcome_apply(tenant=call.tenant, serial=call.serial, source="push", data=data)
    call.refresh_from_db()
    call.tenant = Tenant.objects.get(pk=call.tenant_id)
    return call


def disposition(tenant, key):
    return Disposition.objects.get(tenant=tenant, key=key)


@pytest.fixture
def membership(manager_membership):
    return manager_membership


# --- dispositions -------------------------------------------------------------------------------


def test_every_new_tenant_gets_the_default_dispositions(tenant, other_tenant):
    for t in (tenant, other_tenant):
        keys = list(Disposition.objects.filter(tenant=t).values_list("key", flat=True))
        assert keys == [
            "interested",
            "call_back",
            "not_interested",
            "wrong_person",
            "no_answer",
            "busy",
            "invalid_number",
        ]
    d = disposition(tenant, "no_answer")
    assert d.label_zh == "无人接听" and d.group == "not_connected"


def test_label_in_the_readers_language_falling_back_to_the_other(tenant):
    from django.utils import translation

    d = Disposition(tenant=tenant, key="x", label_en="Interested", label_zh="有意向")
    with translation.override("zh-hans"):
        assert d.label == "有意向"
    with translation.override("en"):
        assert d.label == "Interested"
    d.label_en = ""
    with translation.override("en"):
        assert d.label == "有意向"


# --- required, kept on the server ---------------------------------------------------------------


def test_an_answered_call_awaits_its_wrap_up_until_done(tenant, manager, membership):
    call = end(placed(tenant, manager))
    assert call.wrapup_state == "pending"
    assert [c.pk for c in pending_of(membership)] == [call.pk]

    wrapup_save(
        call=call,
        membership=membership,
        disposition=disposition(tenant, "interested"),
        note="Wants the offer by mail.",
    )
    call.refresh_from_db()
    assert call.wrapup_state == "done" and call.has_note
    assert call.disposition.key == "interested"
    assert pending_of(membership) == []
    wrap = WrapUp.objects.get(call=call)
    assert wrap.author == manager and not wrap.automatic
    assert AuditEntry.objects.filter(action="wrapup.add").count() == 1


def test_not_required_leaves_answered_calls_free(tenant, manager, membership):
    tenant.wrapup_required = False
    tenant.save()
    call = end(placed(tenant, manager))
    assert call.wrapup_state == ""
    assert pending_of(membership) == []
    # The manager may still wrap it up.
    wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "call_back"))
    call.refresh_from_db()
    assert call.wrapup_state == "done" and not call.has_note


def test_a_second_outcome_record_decides_nothing_again(tenant, manager, membership):
    call = end(placed(tenant, manager))
    wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "interested"))
    data = OutcomeData(code="0", talk_seconds=20)
    outcome_apply(tenant=tenant, serial=call.serial, source="cdr", data=data)  # already final
    call.refresh_from_db()
    assert call.wrapup_state == "done"


# --- automatic wrap-ups -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, call_type, key",
    [
        ("5", "AICC", "no_answer"),  # the customer did not answer
        ("3", "AICC", "no_answer"),  # the customer's phone could not be reached
        ("17", "ITA", "busy"),  # Q.850 user busy
        ("1", "ITA", "invalid_number"),  # Q.850 unallocated number
    ],
)
def test_calls_never_connected_are_wrapped_up_by_themselves(
    tenant, manager, code, call_type, key, settings
):
    tenant.call_type = call_type
    tenant.save()
    call = end(placed(tenant, manager, call_type=call_type), code=code, talk=0)
    assert call.wrapup_state == "auto"
    assert call.disposition.key == key
    wrap = WrapUp.objects.get(call=call)
    assert wrap.automatic and wrap.author is None
    assert WrapUpChange.objects.get(wrap_up=wrap).actor is None


@pytest.mark.parametrize("code", ["2", "4"])
def test_your_phone_not_reached_is_flagged_not_dispositioned(tenant, manager, membership, code):
    call = end(placed(tenant, manager), code=code, talk=0)
    assert call.wrapup_state == "phone"
    assert call.disposition is None
    assert not WrapUp.objects.filter(call=call).exists()
    assert pending_of(membership) == []


def test_failed_calls_need_no_wrap_up(tenant, manager, membership):
    call = placed(tenant, manager)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.FAILED, serial="")
    call.refresh_from_db()
    with pytest.raises(WrapUpRefused) as e:
        wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "busy"))
    assert e.value.code == "not_placed"


def test_the_admins_mapping_decides_the_automatic_disposition(tenant, manager):
    # The admin moves "customer did not answer" (outcome 5) to a disposition of their own.
    Disposition.objects.create(
        tenant=tenant,
        key="retry",
        label_en="Retry tomorrow",
        group="not_connected",
        order=1,
        auto_outcomes="outcome:5",
    )
    assert end(placed(tenant, manager), code="5", talk=0).disposition.key == "retry"
    # A code wins over a group; other codes of the group keep the group's disposition.
    assert end(placed(tenant, manager), code="3", talk=0).disposition.key == "no_answer"
    # Archived: not used any more.
    Disposition.objects.filter(tenant=tenant, key__in=["retry", "no_answer"]).update(archived=True)
    call = end(placed(tenant, manager), code="5", talk=0)
    assert call.wrapup_state == "" and call.disposition is None


def test_the_manager_may_change_an_automatic_wrap_up(tenant, manager, membership):
    call = end(placed(tenant, manager), code="5", talk=0)
    wrapup_save(
        call=call,
        membership=membership,
        disposition=disposition(tenant, "wrong_person"),
        note="It rang at a neighbour's.",
    )
    wrap = WrapUp.objects.get(call=call)
    assert wrap.author == manager and not wrap.automatic
    changes = list(wrap.changes.all())
    assert len(changes) == 2
    assert changes[1].before == {
        "disposition": disposition(tenant, "no_answer").pk,
        "note": "",
        "note_private": False,
    }
    assert changes[1].after["note"] == "It rang at a neighbour's."


# --- the edit window and the change history -----------------------------------------------------


def test_editable_by_its_author_for_the_tenants_minutes_then_read_only(tenant, manager, membership):
    tenant.wrapup_edit_minutes = 30
    tenant.save()
    membership.tenant = tenant
    call = end(placed(tenant, manager))
    wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "interested"))
    wrapup_save(
        call=call,
        membership=membership,
        disposition=disposition(tenant, "call_back"),
        note="Call back on Monday.",
    )
    wrap = WrapUp.objects.get(call=call)
    history = [(c.before.get("disposition"), c.after["disposition"]) for c in wrap.changes.all()]
    assert history == [
        (None, disposition(tenant, "interested").pk),
        (disposition(tenant, "interested").pk, disposition(tenant, "call_back").pk),
    ]
    assert AuditEntry.objects.get(action="wrapup.change").changes == {
        "disposition": ["interested", "call_back"],
        "note": ["", "Call back on Monday."],
    }

    WrapUp.objects.filter(pk=wrap.pk).update(wrapped_at=timezone.now() - timedelta(minutes=31))
    with pytest.raises(WrapUpRefused) as e:
        wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "busy"))
    assert e.value.code == "locked"
    assert WrapUp.objects.get(pk=wrap.pk).disposition.key == "call_back"


def test_only_the_calls_manager_wraps_it_up(tenant, manager, supervisor, admin):
    call = end(placed(tenant, manager))
    for user in (supervisor, admin):
        m = Membership.objects.get(tenant=tenant, user=user)
        with pytest.raises(WrapUpRefused) as e:
            wrapup_save(call=call, membership=m, disposition=disposition(tenant, "interested"))
        assert e.value.code == "not_yours"


def test_a_call_not_ended_cannot_be_wrapped_up(tenant, manager, membership):
    call = placed(tenant, manager)
    with pytest.raises(WrapUpRefused) as e:
        wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "busy"))
    assert e.value.code == "not_ended"


def test_the_note_has_at_most_2000_characters(tenant, manager, membership):
    call = end(placed(tenant, manager))
    d = disposition(tenant, "interested")
    with pytest.raises(WrapUpRefused) as e:
        wrapup_save(call=call, membership=membership, disposition=d, note="x" * (NOTE_MAX + 1))
    assert e.value.code == "note_too_long" and e.value.status == 422
    wrapup_save(call=call, membership=membership, disposition=d, note="x" * NOTE_MAX)
    assert len(WrapUp.objects.get(call=call).note) == NOTE_MAX


def test_archived_and_other_tenants_dispositions_are_refused(
    tenant, other_tenant, manager, membership
):
    call = end(placed(tenant, manager))
    Disposition.objects.filter(tenant=tenant, key="busy").update(archived=True)
    for d in (disposition(tenant, "busy"), disposition(other_tenant, "interested")):
        with pytest.raises(WrapUpRefused) as e:
            wrapup_save(call=call, membership=membership, disposition=d)
        assert e.value.code == "disposition"


def test_supervisors_can_always_comment(tenant, manager, supervisor, membership):
    call = end(placed(tenant, manager))
    wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "interested"))
    WrapUp.objects.filter(call=call).update(wrapped_at=timezone.now() - timedelta(days=30))
    sup = Membership.objects.get(tenant=tenant, user=supervisor)
    wrapup_comment(call=call, membership=sup, text="Good call: send the brochure.")
    assert WrapUpComment.objects.get(call=call).author == supervisor
    assert AuditEntry.objects.filter(action="wrapup.comment").count() == 1
    with pytest.raises(WrapUpRefused) as e:
        wrapup_comment(call=call, membership=membership, text="me too")
    assert e.value.code == "not_reader"


# --- placing while wrap-ups are pending ---------------------------------------------------------


def test_placing_is_refused_while_wrapups_are_pending_if_the_tenant_says_so(
    tenant, manager, membership, simctl
):
    call = end(placed(tenant, manager))
    kw = dict(membership=membership, mapping=membership.active_mapping, called="13800000077")
    # Allowed by default.
    first = call_place(idempotency_key="allowed-1", **kw)
    assert first.created and not first.wrapup_due
    tenant.wrapup_call_while_pending = False
    tenant.save()
    membership.tenant = tenant
    refused = call_place(idempotency_key="refused-1", **kw)
    assert refused.wrapup_due and not refused.created and refused.call.pk == call.pk
    assert not Call.objects.filter(idempotency_key="refused-1").exists()
    wrapup_save(call=call, membership=membership, disposition=disposition(tenant, "interested"))
    assert not call_place(idempotency_key="refused-2", **kw).wrapup_due
