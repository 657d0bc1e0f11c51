"""The card of one call attempt (templates/calls/_result.html) and the in-call bar (templates/
calls/_bar.html): what they need to render, and what changed since the browser last looked.

The card is rendered for every placed call, right after AICC answers, so its cost is part of
the click-to-call overhead (docs/performance.md). Django's `{% translate %}` tags (each goes
through a lazy string) and `{% url %}` tags (each resolves the tenant and reverses) were most of
its render time. So its fixed words are translated once per language here (and the call's status
words in calls.call_status), and its links come from calls.links (reversed once per tenant), as
the history rows' do.

While a call is live the browser looks at the console's own record every LIVE_POLL_MS
(calls.services.following) with the `version` it shows: nothing changed is a 204 (nothing is
swapped); otherwise only the words that changed are swapped, and the whole card (or bar) once,
when the call ends.
"""

from functools import lru_cache

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls import wrapup_panel
from calls.call_status import Status, mmss, status_of
from calls.links import TenantLinks
from calls.models import Call
from calls.services.following import LIVE_POLL_MS
from console.models import Membership
from customers.selectors import names_for

WORDS = {
    "serial": _("Serial number"),
    "customer": _("Customer"),
    "elapsed": _("Since you clicked"),
    "what_to_do": _("What to do:"),
    "fixer": _("Who can fix it"),
    "code": _("Code"),
    "not_in_records": _(
        "AICC's call records show no such call yet. A call appears there once it has ended; "
        "check again in a minute."
    ),
    "check": _("Check whether it was placed"),
    "again": _("Call again"),
    "details": _("Details"),
    "stop": _("Stop following"),
    "call_to": _("Call to %(number)s"),
}

VIEWS = ("card", "bar")


@lru_cache(maxsize=16)
def _translated(language: str | None) -> dict[str, str]:
    # Called with the active language, so str() translates into it.
    return {key: str(text) for key, text in WORDS.items()}


def version(shown: Status, call: Call) -> str:
    """What the browser shows of a call, in a few characters: a look that finds the same answers
    204 and changes nothing on the page."""
    return f"{shown.kind}.{call.state}.{call.outcome_code}"


def customer_name(tenant, call: Call) -> str:
    """The name of the customer `call` went to, if the number is a saved customer's (joined
    already by calls.services.following.live_call_of for the bar on every page)."""
    if not call.customer_number:
        return ""
    if hasattr(call, "customer_name"):
        return call.customer_name or ""
    return names_for(tenant, [call.customer_number]).get(call.customer_number, "")


def context(membership: Membership, call: Call, *, view: str = "card", **extra) -> dict:
    """The template context of the card (view "card") or the in-call bar (view "bar") of `call`
    (one of the member's tenant's calls)."""
    words = _translated(get_language())
    links = TenantLinks(membership.tenant.code)
    now = timezone.now()
    shown = status_of(call, now)
    mine = membership.role == Membership.Role.MANAGER and call.user_id == membership.user_id
    ctx = {
        "call": call,
        "w": words,
        "shown": shown,
        "view": view,
        "call_to": words["call_to"] % {"number": call.called},
        # Read only when a template shows it (the in-call bar): one query, never on a poll
        # answered 204.
        "customer_name": lambda: customer_name(membership.tenant, call),
        "since_ms": int(call.created_at.timestamp() * 1000),
        "elapsed": mmss((now - call.created_at).total_seconds()),
        # The poller keeps its URL and its rhythm for the whole call; the version it sends
        # lives in a hidden input next to it, which each change replaces.
        "poll": (
            {
                "url": f"{links.of('call-status', call)}?view={view}",
                "every": LIVE_POLL_MS,
                "version": version(shown, call),
                "input": f"v-{view}-{call.code}",
            }
            if shown.live
            else None
        ),
        # "Call again" opens the call page, which only customer managers have.
        "again_url": links.call_again(call.called, call.call_data) if mine else "",
        "detail_url": links.of("call-detail", call),
        "refresh_url": links.of("call-refresh", call),
        "unfollow_url": links.of("call-unfollow", call) if mine else "",
        "result_url": links.result(call) if mine else links.of("call-detail", call),
    }
    if view == "bar":
        ctx["bar"] = ctx  # templates/calls/_bar.html reads bar.*, as base.html gives it
    else:
        ctx["card_code"] = call.code  # the page shows this call's card: no bar for it
        # Once ended, the manager's card holds the call's wrap-up (no query before that).
        ctx["wu"] = None if shown.live else wrapup_panel.context(membership, call)
    ctx.update(extra)
    return ctx
