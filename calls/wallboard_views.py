"""The live wallboard page (calls/wallboard.py reads it): `/t/<tenant>/live/`, for supervisors and
admins. The page polls itself every 2 seconds with htmx (the refresh is the same URL asked by
htmx: the board only); without JavaScript its Refresh link reloads it. `?large=1` is the wall
screen's large type.

The board's rows are written here in Python, as the history's are (calls/history_rows.py): a
template loop over 1,000 managers was most of a refresh (docs/performance.md, "The live
wallboard"). Every value from the database or a translation goes through `escape`.
"""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calls.call_status import mmss, status_of
from calls.links import TenantLinks
from calls.models import Call
from calls.readers import reader_for
from calls.wallboard import Board, Last, board
from console.access import READERS, tenant_view
from console.htmx import wants_partial

REFRESH_MS = 2000

# A live call's leg in a supervisor's words (calls.call_status.LEGS names them for the manager).
LEGS = {
    None: gettext_lazy("Ringing the customer manager's phone"),
    0: gettext_lazy("Ringing the customer manager's phone"),
    1: gettext_lazy("Ringing the customer"),
    2: gettext_lazy("Talking"),
}


def leg_of(call) -> str:
    if call.status == Call.Status.PLACING:
        return _("Placing the call…")
    return str(LEGS.get(call.state, LEGS[None]))


def _words() -> dict[str, str]:
    return {
        "idle": escape(_("Not on a call")),
        "none": escape(_("No call today")),
        "over": escape(_("Over %(minutes)s min")),
    }


def board_rows(b: Board, links: TenantLinks, membership) -> SafeString:
    """The <tr> of each manager, joined (columns as templates/calls/wallboard.html's header).

    A manager's row but its live call is the same from one refresh to the next until one of
    their calls changes (Row.fingerprint): it is kept, written once per process."""
    tenant = membership.tenant
    tz = ZoneInfo(tenant.time_zone)
    w = _words()
    warn, alert = b.warn_after.total_seconds(), b.alert_after.total_seconds()
    warn_minutes, alert_minutes = int(warn // 60), int(alert // 60)
    reader = reader_for(membership)  # a supervisor or an admin: never the call's manager
    context = (get_language(), reader, tenant.time_zone)
    kept = _kept_rows(tenant.code)
    legs = {}  # (status, state) -> the leg's words, escaped: once per refresh

    def leg(c) -> str:
        words = legs[(c.status, c.state)] = escape(leg_of(c))
        return words

    out = []
    for r in b.rows:
        key = (r.fingerprint, r.name, context)
        cached = kept.get(r.user_id)
        if cached is not None and cached[0] == key:
            head, tail = cached[1], cached[2]
        else:
            head = f'<th scope="row">{escape(r.name)}</th>'
            tail = _tail(r, links, tz, reader, b.now, w)
            kept[r.user_id] = (key, head, tail)
        if r.live is None:
            out.append(f'<tr>{head}<td><span class="muted">{w["idle"]}</span></td>{tail}</tr>')
            continue
        c = r.live
        elapsed = (b.now - c.created_at).total_seconds()
        cls = flag = ""
        if elapsed >= alert:
            cls = ' class="wb-alert"'
            flag = f' <span class="badge bad">{w["over"] % {"minutes": alert_minutes}}</span>'
        elif elapsed >= warn:
            cls = ' class="wb-warn"'
            flag = f' <span class="badge warn">{w["over"] % {"minutes": warn_minutes}}</span>'
        customer = escape(c.called)
        if c.customer_name:
            customer += f' <span class="customer-name">{escape(c.customer_name)}</span>'
        since_ms = int(c.created_at.timestamp() * 1000)
        out.append(
            f"<tr{cls}>{head}<td>"
            f'<span class="badge live">{legs.get((c.status, c.state)) or leg(c)}</span> '
            f'<span role="timer" aria-live="off" data-since="{since_ms}">{mmss(elapsed)}</span>'
            f"{flag}<br>{customer}</td>{tail}</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def _tail(r, links: TenantLinks, tz, reader, now, w) -> str:
    """The row's cells after the live call: the last call's result, today's counters."""
    if r.last is not None:
        c = r.last
        last = (
            f'<a id="wb-last-{r.user_id}" href="{escape(links.of("call-detail", c))}">'
            f"{c.created_at.astimezone(tz):%H:%M}</a> {result_badge(c, reader, now)}"
        )
    else:
        last = f'<span class="muted">{w["none"]}</span>'
    return (
        f'<td>{last}</td><td class="num">{r.calls}</td><td class="num">{r.answered}</td>'
        f'<td class="num">{mmss(r.talk_seconds)}</td><td class="num">{r.pending}</td>'
    )


# Per process, per tenant: {user_id: (what the row depends on, its <th>, its cells after the live
# call)}. Bounded by the tenants' managers; a tenant's entry goes when it has too many.
_rows: dict = {}
_ROWS_MAX = 20_000


def _kept_rows(tenant_code) -> dict:
    kept = _rows.get(tenant_code)
    if kept is None or len(kept) > _ROWS_MAX:
        kept = _rows[tenant_code] = {}
    return kept


# The result badge of a last call, per what decides it (a few dozen kinds a day, and answered
# calls per talk time): decoded and escaped once per process and language, not per row and
# refresh. Bounded: cleared when full.
_BADGES: dict[tuple, str] = {}
_BADGES_MAX = 4096


def result_badge(c: Last, reader, now) -> str:
    estimate = None
    if c.talk_seconds is None and c.talking_at and c.released_at:
        estimate = int((c.released_at - c.talking_at).total_seconds())
    key = (
        get_language(), reader, c.status, c.reason_source, c.reason_code, c.call_type, c.state,
        c.outcome_code, c.unfollowed_at is None, c.talking_at is None, c.talk_seconds, estimate,
    )  # fmt: skip
    badge = _BADGES.get(key)
    if badge is None:
        # A last call is never live (calls.wallboard), so `now` does not change its words.
        shown = status_of(c.as_call(), now, reader)
        badge = f'<span class="badge {shown.tone}">{escape(shown.short)}</span>'
        if len(_BADGES) >= _BADGES_MAX:
            _BADGES.clear()
        _BADGES[key] = badge
    return badge


def _version(b: Board) -> str:
    """What the polite live region says: it is replaced only when this changes."""
    t = b.totals
    text = repr(sorted(t.items()))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@tenant_view(roles=READERS)
@require_GET
def wallboard(request):
    now = timezone.now()
    b = board(request.membership, now)
    links = TenantLinks(str(request.tenant.code))
    large = request.GET.get("large") == "1"
    version = _version(b)
    ctx = {
        "board": b,
        "rows": board_rows(b, links, request.membership),
        "totals": b.totals,
        "talk_total": mmss(b.totals["talk_seconds"]),
        "answer_rate": round(100 * b.totals["answered"] / b.totals["calls"])
        if b.totals["calls"]
        else 0,
        "large": large,
        "every": REFRESH_MS,
        "every_seconds": REFRESH_MS // 1000,
        "version": version,
        "updated": timezone.localtime(now, ZoneInfo(request.tenant.time_zone)),
        "warn_minutes": request.tenant.wallboard_warn_minutes,
        "alert_minutes": request.tenant.wallboard_alert_minutes,
    }
    if wants_partial(request):
        # The totals (a polite live region) are sent only when they changed: a tick of the
        # elapsed times is not news.
        ctx["totals_changed"] = request.GET.get("v") != version
        return render(request, "calls/wallboard.html#refresh", ctx)
    return render(request, "calls/wallboard.html", ctx)
