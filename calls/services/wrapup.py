"""After-call work: a call's wrap-up (disposition and note), its changes and comments.

- A call the customer answered ("connected", calls.call_status.answered) is wrapped up by its
  customer manager. With the tenant's "wrap-up required" on, it is marked awaiting wrap-up
  (Call.wrapup_state "pending") when its outcome is stored, and stays so, on the server, until
  done: reloading or closing the page does not skip it.
- A placed call that ended without the customer answering is wrapped up automatically when its
  outcome is stored (`after_outcome`, from calls.services.outcomes and placing): the disposition
  whose automatic outcomes name the outcome's code or meaning group (the admin's Wrap-up page). If
  the manager's own phone was not reached, there is no customer disposition: the call is flagged
  to the manager instead ("phone"). Failed calls (never placed) need no wrap-up.
- Its author may change a wrap-up for the tenant's `wrapup_edit_minutes`, then it is read-only;
  the call's manager may take over an automatic one in the same window. Every write is a
  WrapUpChange (who, when, before and after); supervisors and admins can always comment.
- Each person's write is audited and sends the webhook event `call.wrapped_up`, in the write's
  transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Group
from calls.call_status import answered
from calls.models import Call, Disposition, WrapUp, WrapUpChange, WrapUpComment, WrapUpState
from calls.services.dispositions import disposition_for_outcome, dispositions_of
from console import audit
from console.models import Membership, Tenant
from hooks import events

NOTE_MAX = 2000
COMMENT_MAX = 2000
PENDING_SHOWN = 20  # the most pending wrap-ups a page lists

# Sent inside the wrap-up's transaction when a call's wrap-up is saved (by its manager, or
# automatically for a call not connected), with `call`, `wrap` and `automatic`: what depends on
# a call's outcome without calls knowing it listens (a call list's entry: lists/apps.py).
wrapped_up = Signal()


class WrapUpRefused(Exception):
    """Why a wrap-up (or a comment) was not saved: `code` for the API, `message` for people,
    `status` the HTTP status the API answers."""

    def __init__(self, code: str, message, status: int = 409):
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status


MESSAGES = {
    "not_yours": (
        _("Only the customer manager who placed the call wraps it up."),
        403,
    ),
    "not_ended": (_("The call has not ended yet: wrap it up once it has."), 409),
    "not_placed": (_("The call was not placed: there is nothing to wrap up."), 409),
    "locked": (
        _(
            "This wrap-up can no longer be changed: its time to edit is over. A supervisor can "
            "add a comment."
        ),
        409,
    ),
    "meanwhile": (
        _("This call was wrapped up meanwhile (in another tab?): check it, then try again."),
        409,
    ),
    "disposition": (_("Choose one of the dispositions offered."), 422),
    "note_too_long": (
        _("The note is too long: write at most 2,000 characters."),
        422,
    ),
    "comment_empty": (_("Write a comment first."), 422),
    "comment_too_long": (_("The comment is too long: write at most 2,000 characters."), 422),
    "not_reader": (_("Only supervisors and admins comment on wrap-ups."), 403),
}


def refused(code: str) -> WrapUpRefused:
    message, status = MESSAGES[code]
    return WrapUpRefused(code, message, status)


# --- reading ------------------------------------------------------------------------------------


def wrap_up_of(call: Call) -> WrapUp | None:
    """The call's wrap-up, or None (no query when the call says it has none)."""
    if call.wrapup_state not in (WrapUpState.DONE, WrapUpState.AUTO):
        return None
    return WrapUp.objects.select_related("disposition", "author").filter(call_id=call.pk).first()


def has_ended(call: Call) -> bool:
    return call.status == Call.Status.PLACED and call.state == 3


def pending_of(membership: Membership) -> list[Call]:
    """The manager's calls awaiting wrap-up, oldest first ([] unless the tenant requires it)."""
    tenant = membership.tenant
    if not tenant.wrapup_required:
        return []
    calls = list(
        Call.objects.filter(
            tenant_id=tenant.pk, user_id=membership.user_id, wrapup_state=WrapUpState.PENDING
        ).order_by("created_at", "id")[:PENDING_SHOWN]
    )
    for call in calls:
        call.tenant = tenant
    return calls


def first_pending(membership: Membership) -> Call | None:
    """What stops the manager's next call, when the tenant allows no call while wrap-ups are
    pending; None otherwise (and no query when the tenant allows it)."""
    tenant = membership.tenant
    if tenant.wrapup_call_while_pending or not tenant.wrapup_required:
        return None
    pending = pending_of(membership)
    return pending[0] if pending else None


def edit_until(tenant: Tenant, wrap: WrapUp) -> datetime:
    return wrap.wrapped_at + timedelta(minutes=tenant.wrapup_edit_minutes)


def why_not(membership: Membership, call: Call, wrap: WrapUp | None, now=None):
    """Why this member may not write the call's wrap-up now (a WrapUpRefused), or None."""
    try:
        _check(membership, call, wrap, now or timezone.now())
    except WrapUpRefused as e:
        return e
    return None


def may_wrap_up(membership: Membership, call: Call, wrap: WrapUp | None, now=None) -> bool:
    """Whether this member may write the call's wrap-up now (see the module docstring)."""
    return why_not(membership, call, wrap, now) is None


def _check(membership: Membership, call: Call, wrap: WrapUp | None, now: datetime) -> None:
    if membership.role != Membership.Role.MANAGER or call.user_id != membership.user_id:
        raise refused("not_yours")
    if call.status != Call.Status.PLACED:
        raise refused("not_placed")
    if call.state != 3:
        raise refused("not_ended")
    if wrap is not None:
        if not wrap.automatic and wrap.author_id != membership.user_id:
            raise refused("not_yours")
        if now > edit_until(membership.tenant, wrap):
            raise refused("locked")


def _values(wrap: WrapUp | None) -> dict:
    if wrap is None:
        return {}
    return {
        "disposition": wrap.disposition_id,
        "note": wrap.note,
        "note_private": wrap.note_private,
    }


# --- writing ------------------------------------------------------------------------------------


def wrapup_save(
    *,
    call: Call,
    membership: Membership,
    disposition: Disposition | None,
    note: str = "",
    note_private: bool | None = None,
    also: Iterable[Callable[[WrapUp], None]] = (),
) -> WrapUp:
    """Wrap up the call (or change its wrap-up): its customer manager, the call ended, within
    the edit window, a disposition the tenant offers (or the one it already has), a note of at
    most NOTE_MAX characters, private or not (None: as it was; a new wrap-up's is not).
    Raises WrapUpRefused. `also`: further steps run with the saved wrap-up inside its
    transaction (scheduling a follow-up, for instance)."""
    tenant = membership.tenant
    note = (note or "").strip()
    now = timezone.now()
    wrap = wrap_up_of(call)
    _check(membership, call, wrap, now)
    if (
        disposition is None
        or disposition.tenant_id != tenant.pk
        or (disposition.archived and (wrap is None or wrap.disposition_id != disposition.pk))
    ):
        raise refused("disposition")
    if len(note) > NOTE_MAX:
        raise refused("note_too_long")
    before = _values(wrap)
    with transaction.atomic():
        if wrap is None:
            wrap = WrapUp(tenant=tenant, call=call, wrapped_at=now)
        elif wrap.automatic:  # the manager takes it over: their edit window starts now
            wrap.wrapped_at = now
        wrap.disposition, wrap.note = disposition, note
        if note_private is not None:
            wrap.note_private = note_private
        wrap.author_id, wrap.automatic, wrap.updated_at = membership.user_id, False, now
        try:
            with transaction.atomic():
                wrap.save()
        except IntegrityError:  # wrapped up a moment ago in another tab: that one stands
            raise refused("meanwhile") from None
        after = _values(wrap)
        if after == before:
            transaction.set_rollback(True)
            return wrap
        WrapUpChange.objects.create(
            wrap_up=wrap, actor_id=membership.user_id, at=now, before=before, after=after
        )
        _mirror(call, WrapUpState.DONE, disposition, note)
        audit.record(
            tenant=tenant,
            actor=membership.user,
            action="wrapup.change" if before else "wrapup.add",
            target=f"{call.called} {call.code}",
            changes=audit.diff(
                {k: _audit_value(k, v) for k, v in before.items()},
                {k: _audit_value(k, v) for k, v in after.items()},
            ),
        )
        for step in also:
            step(wrap)
        wrapped_up.send(sender=Call, call=call, wrap=wrap, automatic=False)
        events.emit_call(call, "call.wrapped_up")
    return wrap


def _audit_value(field: str, value):
    if field == "disposition" and value is not None:
        d = Disposition.objects.filter(pk=value).only("key").first()
        return d.key if d else value
    return value


def _mirror(call: Call, state: str, disposition: Disposition | None, note: str) -> None:
    """Copy the wrap-up onto the call (what the history filters and rows read)."""
    fields = {
        "wrapup_state": state,
        "disposition": disposition,
        "has_note": bool(note),
    }
    Call.objects.filter(pk=call.pk).update(**fields)
    for name, value in fields.items():
        setattr(call, name, value)


def wrapup_comment(*, call: Call, membership: Membership, text: str) -> WrapUpComment:
    """A supervisor's or an admin's comment on the call's wrap-up: always allowed, kept."""
    if not membership.can_read_history:
        raise refused("not_reader")
    text = (text or "").strip()
    if not text:
        raise refused("comment_empty")
    if len(text) > COMMENT_MAX:
        raise refused("comment_too_long")
    with transaction.atomic():
        comment = WrapUpComment.objects.create(
            tenant=membership.tenant,
            call=call,
            author_id=membership.user_id,
            text=text,
            at=timezone.now(),
        )
        audit.record(
            tenant=membership.tenant,
            actor=membership.user,
            action="wrapup.comment",
            target=f"{call.called} {call.code}",
        )
    return comment


# --- when the outcome is stored -----------------------------------------------------------------


def after_outcome(tenant: Tenant, calls: Iterable[Call]) -> None:
    """Decide the wrap-up of ended calls whose outcome was just stored (each decided once: only
    while the call has none). Answered: awaiting wrap-up, if the tenant requires it. Not
    answered: the manager's own phone not reached is flagged; otherwise the disposition mapped
    to the outcome wraps it up automatically (none mapped: nothing to do)."""
    dispositions = None
    for call in calls:
        if call.wrapup_state or not has_ended(call) or not call.outcome_code:
            continue
        call.tenant = tenant
        if answered(call):
            if tenant.wrapup_required:
                _claim(call, WrapUpState.PENDING)
            continue
        outcome = call.outcome()
        if outcome.group == Group.CALLER_PHONE:
            _claim(call, WrapUpState.PHONE)
            continue
        if dispositions is None:
            dispositions = dispositions_of(tenant)
        disposition = disposition_for_outcome(dispositions, outcome)
        if disposition is not None:
            _auto(call, disposition)


def _claim(call: Call, state: str) -> bool:
    n = Call.objects.filter(pk=call.pk, wrapup_state="").update(wrapup_state=state)
    if n:
        call.wrapup_state = state
    return n > 0


def _auto(call: Call, disposition: Disposition) -> None:
    now = timezone.now()
    with transaction.atomic():
        if not _claim(call, WrapUpState.AUTO):  # decided meanwhile by another process
            return
        wrap = WrapUp.objects.create(
            tenant_id=call.tenant_id,
            call=call,
            disposition=disposition,
            automatic=True,
            wrapped_at=now,
            updated_at=now,
        )
        WrapUpChange.objects.create(
            wrap_up=wrap,
            at=now,
            before={},
            after={"disposition": disposition.pk, "note": "", "note_private": False},
        )
        Call.objects.filter(pk=call.pk).update(disposition=disposition)
        call.disposition = disposition
        wrapped_up.send(sender=Call, call=call, wrap=wrap, automatic=True)
        events.emit_call(call, "call.wrapped_up")
