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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from calls.call_status import history_status, mmss
from calls.links import TenantLinks
from calls.models import Call
from calls.readers import reader_for
from calls.wallboard import Board, board
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


def leg_of(call: Call) -> str:
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
    """The <tr> of each manager, joined (columns as templates/calls/wallboard.html's header)."""
    tz = ZoneInfo(membership.tenant.time_zone)
    w = _words()
    warn_minutes = int(b.warn_after.total_seconds() // 60)
    alert_minutes = int(b.alert_after.total_seconds() // 60)
    memo = {}
    out = []
    for r in b.rows:
        cls = ""
        if r.live is not None:
            c = r.live
            elapsed = (b.now - c.created_at).total_seconds()
            flag = ""
            if elapsed >= b.alert_after.total_seconds():
                cls = ' class="wb-alert"'
                flag = f' <span class="badge bad">{w["over"] % {"minutes": alert_minutes}}</span>'
            elif elapsed >= b.warn_after.total_seconds():
                cls = ' class="wb-warn"'
                flag = f' <span class="badge warn">{w["over"] % {"minutes": warn_minutes}}</span>'
            name = getattr(c, "customer_name", None)
            customer = escape(c.called)
            if name:
                customer += f' <span class="customer-name">{escape(name)}</span>'
            since_ms = int(c.created_at.timestamp() * 1000)
            live = (
                f'<span class="badge live">{escape(leg_of(c))}</span> '
                f'<span role="timer" aria-live="off" data-since="{since_ms}">{mmss(elapsed)}</span>'
                f"{flag}<br>{customer}"
            )
        else:
            live = f'<span class="muted">{w["idle"]}</span>'
        if r.last is not None:
            c = r.last
            shown = history_status(c, memo, b.now, reader_for(membership, c))
            last = (
                f'<a href="{escape(links.of("call-detail", c))}">'
                f"{c.created_at.astimezone(tz):%H:%M}</a> "
                f'<span class="badge {shown.tone}">{escape(shown.short)}</span>'
            )
        else:
            last = f'<span class="muted">{w["none"]}</span>'
        out.append(
            f'<tr{cls}><th scope="row">{escape(r.name)}</th><td>{live}</td><td>{last}</td>'
            f'<td class="num">{r.calls}</td><td class="num">{r.answered}</td>'
            f'<td class="num">{mmss(r.talk_seconds)}</td><td class="num">{r.pending}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


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
