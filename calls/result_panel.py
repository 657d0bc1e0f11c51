"""The result panel of one call attempt (templates/calls/_result.html): what it needs to render.

The panel is rendered for every placed call, right after AICC answers, so its cost is part of
the click-to-call overhead (docs/performance.md). Django's `{% translate %}` tags (each goes
through a lazy string) and `{% url %}` tags (each resolves the tenant and reverses) were most of
its render time. So its fixed words are translated once per language here, and its links come
from calls.links (reversed once per tenant), as the history rows' do.
"""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.links import TenantLinks
from calls.models import Call
from console.models import Membership

WORDS = {
    "placed": _("Call placed"),
    "placed_help": _("AICC is ringing your phone first; pick up, and it then rings the customer."),
    "serial": _("Serial number"),
    "customer": _("Customer"),
    "status": _("Status"),
    "placing": _("Placing the call…"),
    "waiting": _("Waiting for AICC to answer."),
    "unknown": _("Not sure the call was placed"),
    "failed": _("The call was not placed"),
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
    "following": _("Following the call…"),
}

# queryCallState's state (docs/vendor notes): None = not asked yet.
STATES = {
    None: _("Ringing your phone…"),
    0: _("Waiting to be called"),
    1: _("Ringing: your phone first, then the customer's"),
    2: _("Talking"),
    3: _("Ended"),
}

# Where the panel polls next: wait this long before each next look (seconds), then stop.
POLL_DELAYS = (1, 1, 2, 2, 3, 3, 5, 5, 5, 10, 10, 15, 15, 30, 30, 60)


@lru_cache(maxsize=16)
def _translated(language: str | None) -> tuple[dict[str, str], dict[int | None, str]]:
    # Called with the active language, so str() translates into it.
    return (
        {key: str(text) for key, text in WORDS.items()},
        {key: str(text) for key, text in STATES.items()},
    )


def _poll(links: TenantLinks, call: Call, step: int) -> dict | None:
    """Where and when the panel looks next at a placed call, or None to stop."""
    if call.status != Call.Status.PLACED or call.state == 3 or step >= len(POLL_DELAYS):
        return None
    return {"url": f"{links.of('call-status', call)}?n={step + 1}", "delay": POLL_DELAYS[step]}


def context(membership: Membership, call: Call, *, step: int = 0, **extra) -> dict:
    """The template context of the panel for `call` (one of `m`'s tenant's calls), following
    it from poll step `step` on (POLL_DELAYS)."""
    words, states = _translated(get_language())
    links = TenantLinks(membership.tenant.code)
    state = ""
    if call.status == Call.Status.PLACED:
        state = states.get(call.state, "")
        outcome = call.outcome() if call.state == 3 else None
        if outcome:
            state = f"{state}: {outcome.title}"
    ctx = {
        "call": call,
        "w": words,
        "state_text": state,
        "poll": _poll(links, call, step),
        # "Call again" opens the call page, which only customer managers have.
        "again_url": (
            links.call_again(call.called, call.call_data)
            if membership.role == Membership.Role.MANAGER
            else ""
        ),
        "detail_url": links.of("call-detail", call),
        "refresh_url": links.of("call-refresh", call),
    }
    ctx.update(extra)
    return ctx
