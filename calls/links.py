"""Links to a tenant's call pages, for pages that show many of them or show them often (the
history rows, the result panel of every placed call). Reversing a URL per row or per call was a
visible share of those pages' time, so each tenant's URLs are reversed once per process and a
call's own URL is its code put between a prefix and a suffix."""

from functools import lru_cache
from urllib.parse import quote, urlencode
from uuid import UUID

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_ZERO = UUID(int=0)
PER_CALL = (
    "call-detail",
    "call-status",
    "call-refresh",
    "call-unfollow",
    "call-wrapup",
    "call-wrapup-comment",
)
PER_FOLLOW_UP = ("follow-up-edit", "follow-up-done")


@lru_cache(maxsize=1024)
def _reversed(prefix: str, urlconf: str, tenant: str) -> dict:
    # Keyed by the script prefix and URLconf too: reverse() depends on them.
    urls: dict = {
        "call": reverse("call", kwargs={"tenant_code": tenant}),
        "follow-ups": reverse("follow-ups", kwargs={"tenant_code": tenant}),
    }
    for name in PER_CALL:
        url = reverse(name, kwargs={"tenant_code": tenant, "call_code": _ZERO})
        before, after = url.split(str(_ZERO))
        urls[name] = (before, after)
    url = reverse("customer-timeline", kwargs={"tenant_code": tenant, "number": "NUMBER"})
    urls["customer-timeline"] = tuple(url.rsplit("NUMBER", 1))
    for name in PER_FOLLOW_UP:
        url = reverse(name, kwargs={"tenant_code": tenant, "follow_up_code": _ZERO})
        urls[name] = tuple(url.split(str(_ZERO)))
    return urls


class TenantLinks:
    """`links = TenantLinks(tenant_code)`; `links.of("call-detail", call)`; `links.result(call)`;
    `links.call_again(...)`."""

    def __init__(self, tenant_code: str) -> None:
        prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
        self._urls = _reversed(prefix, urlconf, tenant_code)

    def of(self, name: str, call) -> str:
        """The URL `name` (one of PER_CALL) of `call`."""
        before, after = self._urls[name]
        return f"{before}{call.code}{after}"

    def customer(self, number: str) -> str:
        """The timeline of the customer with this number (E.164)."""
        before, after = self._urls["customer-timeline"]
        return f"{before}{quote(number, safe='+')}{after}"

    def result(self, call) -> str:
        """The call page showing `call`'s result (after a call placed without JavaScript)."""
        return f"{self._urls['call']}?last={call.code}"

    def call_again(self, called: str, call_data: str = "") -> str:
        """The call page prefilled with the number (and call data) of an earlier call. Calling
        again is deliberate: that form does not ask "you called this number a moment ago"."""
        query = {"called": called}
        if call_data:
            query["data"] = call_data
        query["again"] = "1"
        return f"{self._urls['call']}?{urlencode(query)}"

    def of_follow_up(self, name: str, follow_up) -> str:
        """The URL `name` (one of PER_FOLLOW_UP) of `follow_up`."""
        before, after = self._urls[name]
        return f"{before}{follow_up.code}{after}"

    def follow_ups(self) -> str:
        return self._urls["follow-ups"]

    def call_from_follow_up(self, follow_up) -> str:
        """The call page prefilled with a follow-up's number, showing its context; the call
        placed from it is linked to it (calls/followup_views.py)."""
        query = {"called": follow_up.called, "follow_up": str(follow_up.code)}
        return f"{self._urls['call']}?{urlencode(query)}"
