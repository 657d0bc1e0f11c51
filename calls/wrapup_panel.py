"""What the wrap-up section (templates/calls/_wrapup.html) needs: on the manager's call card once
the call has ended, and on the call's detail page (with its changes and comments)."""

from __future__ import annotations

from django.utils import timezone

from calls.call_status import answered
from calls.followup_forms import WrapUpFollowUpForm
from calls.followup_selectors import placed_from
from calls.links import TenantLinks
from calls.models import Call, WrapUpState
from calls.services.dispositions import dispositions_of
from calls.services.wrapup import edit_until, has_ended, may_wrap_up, wrap_up_of
from calls.wrapup_forms import CommentForm, WrapUpForm
from console.models import Membership, who


def context(
    membership: Membership,
    call: Call,
    *,
    detail: bool = False,
    form: WrapUpForm | None = None,
    follow_up_form: WrapUpFollowUpForm | None = None,
    comment_form: CommentForm | None = None,
    error: str = "",
) -> dict | None:
    """The wrap-up section of `call` for `membership`, or None when there is none to show (the
    call has not ended, was never placed, or is someone else's on the call page)."""
    if not has_ended(call):
        return None
    mine = membership.role == Membership.Role.MANAGER and call.user_id == membership.user_id
    if not (mine or detail):
        return None
    tenant = membership.tenant
    wrap = wrap_up_of(call)
    now = timezone.now()
    editable = mine and may_wrap_up(membership, call, wrap, now)
    by_pk = {}
    if editable or (detail and wrap is not None):
        by_pk = {d.pk: d for d in dispositions_of(tenant)}
    if editable and form is None:
        form = WrapUpForm(dispositions=list(by_pk.values()), wrap=wrap)
    if editable and follow_up_form is None:
        follow_up_form = WrapUpFollowUpForm(membership=membership)
    links = TenantLinks(tenant.code)
    state = call.wrapup_state
    ctx = {
        "call": call,
        "wrap": wrap,
        "detail": detail,
        "mine": mine,
        "pending": state == WrapUpState.PENDING and tenant.wrapup_required,
        "phone": state == WrapUpState.PHONE,
        "editable": editable,
        # The form is open at once while an answered call has no wrap-up; else behind "Change"
        # (or "Add a wrap-up", for a call never connected that nothing wrapped up).
        "open": editable and (form.is_bound or (wrap is None and answered(call))),
        "form": form if editable else None,
        "follow_up_form": follow_up_form if editable else None,
        # The open follow-up this call was placed from: the wrap-up completes or moves it.
        "from_follow_up": placed_from(call) if editable else None,
        "error": error,
        "edit_until": edit_until(tenant, wrap) if wrap is not None and editable else None,
        "author": who(wrap.author) if wrap is not None and wrap.author_id else "",
        "post_url": links.of("call-wrapup", call),
        # The customer's timeline: their story, and "Add as a customer" when not saved yet.
        "customer_url": links.customer(call.customer_number) if call.customer_number else "",
        "tz": tenant.time_zone,
    }
    if detail:
        ctx["changes"] = _changes(wrap, by_pk) if wrap is not None else []
        ctx["comments"] = [
            {"who": who(c.author) if c.author_id else "", "at": c.at, "text": c.text}
            for c in call.wrapup_comments.select_related("author")
        ]
        if membership.can_read_history:
            ctx["comment_form"] = comment_form or CommentForm()
            ctx["comment_url"] = links.of("call-wrapup-comment", call)
    return ctx


def _label(by_pk: dict, pk) -> str:
    d = by_pk.get(pk)
    return d.label if d is not None else ""


def _changes(wrap, by_pk: dict) -> list[dict]:
    out = []
    for change in wrap.changes.select_related("actor"):
        before, after = change.before or {}, change.after or {}
        out.append(
            {
                "who": who(change.actor) if change.actor_id else "",
                "at": change.at,
                "first": not before,
                "disposition": (
                    _label(by_pk, before.get("disposition")),
                    _label(by_pk, after.get("disposition")),
                ),
                "note": (before.get("note", ""), after.get("note", "")),
                "note_changed": before.get("note", "") != after.get("note", ""),
                "disposition_changed": before.get("disposition") != after.get("disposition"),
                # Older changes do not say: their note was not private.
                "private": after.get("note_private", False),
                "private_changed": bool(before)
                and before.get("note_private", False) != after.get("note_private", False),
            }
        )
    return out
