"""The result panel of one call attempt (templates/calls/_result.html): what it needs to render.

The panel is rendered for every placed call, right after AICC answers, so its cost is part of
the click-to-call overhead (docs/benchmarks.md). Django's `{% translate %}` tags (each goes
through a lazy string) and `{% url %}` tags (each resolves the tenant and reverses) were most of
its render time. So its fixed words are translated once per language here, and its links are
built from URL prefixes reversed once per tenant, as the history rows are.
"""

from functools import lru_cache
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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

_ZERO = UUID(int=0)


@lru_cache(maxsize=16)
def _translated(language: str | None) -> tuple[dict[str, str], dict[int | None, str]]:
    # Called with the active language, so str() translates into it.
    return (
        {key: str(text) for key, text in WORDS.items()},
        {key: str(text) for key, text in STATES.items()},
    )


@lru_cache(maxsize=1024)
def _links(prefix: str, urlconf: str, tenant: str) -> dict[str, str | tuple[str, str]]:
    """The tenant's URLs the panel links to; the per-call ones split around the call's code.
    Keyed by the script prefix and URLconf too, which reverse() depends on."""

    def around(name: str) -> tuple[str, str]:
        url = reverse(name, kwargs={"tenant": tenant, "call": _ZERO})
        before, after = url.split(str(_ZERO))
        return before, after

    return {
        "call": reverse("call", kwargs={"tenant": tenant}),
        "detail": around("call-detail"),
        "status": around("call-status"),
        "refresh": around("call-refresh"),
    }


def links(tenant_code: str) -> dict:
    return _links(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, tenant_code)


def call_url(links: dict, name: str, call: Call) -> str:
    before, after = links[name]
    return f"{before}{call.code}{after}"


def poll_next(m: Membership, call: Call, n: int) -> dict | None:
    """Where and when to look next at a placed call, or None to stop."""
    if call.status != Call.Status.PLACED or call.state == 3 or n >= len(POLL_DELAYS):
        return None
    url = call_url(links(m.tenant.code), "status", call)
    return {"url": f"{url}?n={n + 1}", "delay": POLL_DELAYS[n]}


def context(m: Membership, call: Call, **extra) -> dict:
    """The template context of the panel for `call` (one of `m`'s tenant's calls)."""
    words, states = _translated(get_language())
    urls = links(m.tenant.code)
    state = states.get(call.state, "") if call.status == Call.Status.PLACED else ""
    if call.state == 3:
        outcome = call.outcome()
        if outcome:
            state = f"{state}: {outcome.title}"
    again = {"called": call.called}
    if call.call_data:
        again["data"] = call.call_data
    ctx = {
        "call": call,
        "w": words,
        "state_text": state,
        "again_url": f"{urls['call']}?{urlencode(again)}",
        "detail_url": call_url(urls, "detail", call),
        "refresh_url": call_url(urls, "refresh", call),
    }
    ctx.update(extra)
    return ctx
