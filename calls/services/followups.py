"""Follow-ups (issue 18): scheduling a call to a customer at a set time, rescheduling it,
cancelling it with a reason, marking it done, completing it from the wrap-up of the call placed
from it, and the worker's `followup.due` webhook. Every change is audited.

Who may do what (the pages and the API apply the same rules, here):
- a customer manager schedules follow-ups for themselves only, and changes only their own;
- a supervisor or admin schedules one for any customer manager of the tenant (by default the
  manager of the call it is scheduled from) and changes any of the tenant's.

Due times are aware datetimes; the forms read the date and time typed in the tenant's time zone
(there is no per-person time zone: `Tenant.time_zone` is everyone's).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import call_input
from calls.models import CANCEL_REASON_MAX, FOLLOW_UP_NOTE_MAX, Call, FollowUp
from console import audit
from console.models import Membership
from customers.numbers import to_e164
from hooks import events

log = logging.getLogger("calls.followups")

# A due time may be a little in the past (the form was open a while; "call them now"), and not
# further ahead than this (a date typed wrong, and datetimes near year 9999 cannot be shown).
PAST_GRACE = timedelta(minutes=10)
HORIZON = timedelta(days=2 * 366)
ANNOUNCE_BATCH = 500  # follow-ups announced per run of the worker's job


class NotOpen(Exception):
    """The follow-up is already done or cancelled: nothing to change."""

    def __init__(self, follow_up: FollowUp):
        super().__init__(str(self.message(follow_up)))
        self.follow_up = follow_up

    @staticmethod
    def message(follow_up: FollowUp):
        if follow_up.status == FollowUp.Status.DONE:
            return _("This follow-up is already done: schedule a new one if the customer needs it.")
        return _("This follow-up was cancelled: schedule a new one if the customer needs it.")


def _clean_due(due_at: datetime, now: datetime) -> datetime:
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime")
    if due_at < now - PAST_GRACE:
        raise ValidationError(
            {"due_at": _("That time has passed. Choose a time from now on.")}, code="past"
        )
    if due_at > now + HORIZON:
        raise ValidationError(
            {"due_at": _("Choose a time within the next two years.")}, code="too_far"
        )
    return due_at


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > FOLLOW_UP_NOTE_MAX:
        raise ValidationError(
            {"note": _("A note has at most %(max)s characters.") % {"max": FOLLOW_UP_NOTE_MAX}},
            code="length",
        )
    return note


def _clean_called(membership: Membership, called: str) -> str:
    try:
        return call_input.clean_called(membership.tenant, called)
    except ValidationError as e:
        raise ValidationError({"called": e.error_list}) from None


def is_manager_of(tenant, user) -> bool:
    return Membership.objects.filter(
        tenant=tenant, user=user, role=Membership.Role.MANAGER
    ).exists()


def _assignee(membership: Membership, assignee, source_call: Call | None):
    """Who the follow-up is for: the rules of the module's docstring."""
    is_manager = membership.role == Membership.Role.MANAGER
    if assignee is None:
        if is_manager:
            return membership.user
        if source_call is not None and source_call.user_id:
            assignee = source_call.user
        else:
            raise ValidationError(
                {"assignee": _("Choose the customer manager who is to call.")}, code="required"
            )
    if is_manager and assignee.pk != membership.user_id:
        raise ValidationError(
            {
                "assignee": _(
                    "You can schedule follow-ups for yourself only; a supervisor can assign one "
                    "to a colleague."
                )
            },
            code="not_yours",
        )
    if assignee.pk != membership.user_id or not is_manager:
        if not is_manager_of(membership.tenant, assignee):
            raise ValidationError(
                {"assignee": _("Only a customer manager of this tenant can be assigned.")},
                code="not_manager",
            )
    return assignee


def may_change(membership: Membership, follow_up: FollowUp) -> bool:
    if follow_up.tenant_id != membership.tenant_id:
        return False
    return membership.can_read_history or follow_up.assignee_id == membership.user_id


def _check(membership: Membership, follow_up: FollowUp) -> None:
    if not may_change(membership, follow_up):
        raise PermissionDenied
    if not follow_up.is_open:
        raise NotOpen(follow_up)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def follow_up_schedule(
    *,
    membership: Membership,
    called: str,
    due_at: datetime,
    note: str = "",
    assignee=None,
    source_call: Call | None = None,
) -> FollowUp:
    """A new open follow-up. Raises ValidationError ({field: messages}) for what is wrong."""
    tenant = membership.tenant
    if source_call is not None and source_call.tenant_id != tenant.pk:
        raise ValueError("the source call is another tenant's")
    now = timezone.now()
    errors: dict = {}
    values = {}
    for name, clean in (
        ("called", lambda: _clean_called(membership, called)),
        ("due_at", lambda: _clean_due(due_at, now)),
        ("note", lambda: _clean_note(note)),
        ("assignee", lambda: _assignee(membership, assignee, source_call)),
    ):
        try:
            values[name] = clean()
        except ValidationError as e:
            errors.update(e.error_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            tenant=tenant,
            customer_number=to_e164(values["called"], tenant.default_region),
            created_by=membership.user,
            source_call=source_call,
            **values,
        )
        audit.record(
            tenant=tenant,
            actor=membership.user,
            action="follow_up.schedule",
            target=follow_up.called,
            changes={
                "due_at": [None, _iso(follow_up.due_at)],
                "assignee": [None, follow_up.assignee.username],
            },
        )
    follow_up.tenant = tenant
    return follow_up


def follow_up_reschedule(
    *,
    membership: Membership,
    follow_up: FollowUp,
    due_at: datetime | None = None,
    note: str | None = None,
    assignee=None,
) -> FollowUp:
    """A new due time, note or assignee (each optional: None keeps it) for an open follow-up.
    A new due time is announced again (`followup.due`) when it comes."""
    _check(membership, follow_up)
    now = timezone.now()
    errors: dict = {}
    changes: dict = {}
    try:
        if due_at is not None and due_at != follow_up.due_at:
            changes["due_at"] = (_iso(follow_up.due_at), _clean_due(due_at, now))
        if note is not None and _clean_note(note) != follow_up.note:
            changes["note"] = (follow_up.note, _clean_note(note))
    except ValidationError as e:
        errors.update(e.error_dict)
    if assignee is not None and assignee.pk != follow_up.assignee_id:
        try:
            changes["assignee"] = (
                follow_up.assignee.username,
                _assignee(membership, assignee, None),
            )
        except ValidationError as e:
            errors.update(e.error_dict)
    if errors:
        raise ValidationError(errors)
    return _apply(follow_up, membership.user, changes)


def _apply(follow_up: FollowUp, actor, changes: dict) -> FollowUp:
    """Save `changes` ({field: (before, after)}) with their audit entry."""
    if not changes:
        return follow_up
    for name, (_before, after) in changes.items():
        setattr(follow_up, name, after)
    if "due_at" in changes:
        follow_up.due_notified_at = None  # announced again when the new time comes
    recorded = {}
    for name, (before, after) in changes.items():
        if name == "note":
            recorded[name] = audit.CHANGED  # the customer's words stay out of the audit log
        elif name == "assignee":
            recorded[name] = [before, after.username]
        else:
            recorded[name] = [before, _iso(after)]
    with transaction.atomic():
        follow_up.save(update_fields=[*changes, "due_notified_at"])
        audit.record(
            tenant=follow_up.tenant,
            actor=actor,
            action="follow_up.reschedule",
            target=follow_up.called,
            changes=recorded,
        )
    return follow_up


def _close(follow_up: FollowUp, actor, status: str, reason: str = "") -> FollowUp:
    """Done or cancelled, once: a conditional UPDATE, so two people (or a wrap-up and a click)
    closing it at once close it once."""
    now = timezone.now()
    with transaction.atomic():
        closed = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
            status=status, cancel_reason=reason, done_at=now
        )
        if not closed:
            follow_up.refresh_from_db(fields=["status", "cancel_reason", "done_at"])
            raise NotOpen(follow_up)
        follow_up.status, follow_up.cancel_reason, follow_up.done_at = status, reason, now
        audit.record(
            tenant=follow_up.tenant,
            actor=actor,
            action="follow_up.cancel" if status == FollowUp.Status.CANCELLED else "follow_up.done",
            target=follow_up.called,
            changes={"reason": reason} if reason else {},
        )
    return follow_up


def follow_up_cancel(*, membership: Membership, follow_up: FollowUp, reason: str) -> FollowUp:
    _check(membership, follow_up)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why it is cancelled (your colleagues read it).")}, code="required"
        )
    if len(reason) > CANCEL_REASON_MAX:
        raise ValidationError(
            {"reason": _("A reason has at most %(max)s characters.") % {"max": CANCEL_REASON_MAX}},
            code="length",
        )
    return _close(follow_up, membership.user, FollowUp.Status.CANCELLED, reason)


def follow_up_done(*, membership: Membership, follow_up: FollowUp) -> FollowUp:
    _check(membership, follow_up)
    return _close(follow_up, membership.user, FollowUp.Status.DONE)


def follow_up_placed(follow_up: FollowUp, call: Call) -> None:
    """`call` was placed from the follow-up (the call form's hidden `follow_up`): its wrap-up
    completes it. A call the console or AICC refused reached nobody and links nothing."""
    if call.status == Call.Status.FAILED or call.tenant_id != follow_up.tenant_id:
        return
    FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(placed_call=call)
    follow_up.placed_call = call


def follow_ups_complete_for_call(call: Call, *, reschedule_to: datetime | None = None) -> list:
    """The wrap-up of `call` was saved: the open follow-ups it was placed from are done, or, with
    `reschedule_to`, due again then (and stay open). Done by the call's manager (the audit's
    actor). Returns the follow-ups changed."""
    changed = []
    found = FollowUp.objects.filter(
        tenant_id=call.tenant_id, placed_call=call, status=FollowUp.Status.OPEN
    ).select_related("tenant", "assignee")
    for follow_up in found:
        if reschedule_to is None:
            try:
                changed.append(_close(follow_up, call.user, FollowUp.Status.DONE))
            except NotOpen:
                pass
            continue
        due_at = _clean_due(reschedule_to, timezone.now())
        before = _iso(follow_up.due_at)
        changed.append(_apply(follow_up, call.user, {"due_at": (before, due_at)}))
    return changed


def after_wrapup(*, membership: Membership, call: Call, due_at: datetime | None = None,
                 note: str = ""):  # fmt: skip
    """The follow-up part of a call's wrap-up, as a step for `wrapup_save(also=...)` (run inside
    the wrap-up's transaction): the open follow-ups the call was placed from are done, or, with
    `due_at`, due again then (and their note replaced by `note` when one is given); a call placed
    from none gets a new follow-up, assigned to its manager, when `due_at` is given. Raises
    ValidationError ({field: messages}) for a due time or note the services refuse: the whole
    wrap-up is then not saved. (An automatic wrap-up runs no step: a customer who did not answer
    still needs the call the follow-up asks for.)"""

    def step(_wrap) -> None:
        changed = follow_ups_complete_for_call(call, reschedule_to=due_at)
        if due_at is not None and note:
            for follow_up in changed:
                _apply(follow_up, call.user, {"note": (follow_up.note, _clean_note(note))})
        if not changed and due_at is not None:
            follow_up_schedule(
                membership=membership,
                called=call.called,
                due_at=due_at,
                note=note,
                source_call=call,
            )

    return step


# --- the followup.due webhook -----------------------------------------------------------------


def announce_due(now: datetime | None = None, limit: int = ANNOUNCE_BATCH) -> int:
    """Mark the open follow-ups whose time has come as announced, each once, and write their
    `followup.due` event in the same transaction. Safe with two workers: a row is taken by the
    conditional UPDATE that sets its `due_notified_at` (WHERE due_notified_at IS NULL), which
    only one of them can win. Returns how many this run announced."""
    from calls.representation import follow_up_payload

    now = now or timezone.now()
    candidates = (
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN, due_notified_at__isnull=True, due_at__lte=now
        )
        .select_related("tenant", "assignee", "created_by", "source_call", "placed_call")
        .order_by("due_at")[:limit]
    )
    announced = 0
    for follow_up in list(candidates):
        with transaction.atomic():
            taken = FollowUp.objects.filter(
                pk=follow_up.pk,
                status=FollowUp.Status.OPEN,
                due_notified_at__isnull=True,
                due_at=follow_up.due_at,
            ).update(due_notified_at=now)
            if not taken:
                continue  # another worker announced it, or it was closed or moved meanwhile
            follow_up.due_notified_at = now
            events.emit(
                follow_up.tenant,
                "followup.due",
                lambda f=follow_up: {"follow_up": follow_up_payload(f)},
            )
            announced += 1
    if announced:
        log.info("follow-ups: %s announced as due", announced)
    return announced
