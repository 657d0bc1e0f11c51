"""The header's navigation for a member of a tenant, written as HTML here rather than as ~50
template nodes on every page (docs/performance.md, "The navigation written in Python").

The links a role sees are reversed, translated and escaped once per tenant, role and language
(`_links`); each page then marks its own entry (`aria-current`) and a customer manager's
follow-ups link gets the count due today."""

from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from console.models import Membership

Role = Membership.Role
MANAGER, READERS, ADMIN, ALL = "manager", "readers", "admin", "all"

# (URL name, the section its pages mark, label, who sees it), in the header's order.
ENTRIES = (
    ("call", "call", gettext_lazy("Call"), MANAGER),
    ("call-lists", "call-lists", gettext_lazy("Call lists"), ALL),
    ("call-next", "call-next", gettext_lazy("Call next"), MANAGER),
    ("follow-ups", "follow-ups", gettext_lazy("Follow-ups"), ALL),
    ("history", "history", None, ALL),  # "My calls" for a manager, "History" for the others
    ("customers", "customers", gettext_lazy("Customers"), ALL),
    ("dashboard", "dashboard", gettext_lazy("Dashboard"), READERS),
    ("wallboard", "wallboard", gettext_lazy("Live"), READERS),
    ("tenant-settings", "settings", gettext_lazy("Settings"), READERS),
    ("softphones", "softphones", gettext_lazy("Softphones"), READERS),
    ("people", "people", gettext_lazy("People"), READERS),
    ("webhooks", "webhooks", gettext_lazy("Webhooks"), ADMIN),
    ("audit", "audit", gettext_lazy("Audit log"), READERS),
    ("api-tokens", "api", gettext_lazy("API tokens"), "api"),
)


def _sees(who: str, role: str, api_self_service: bool) -> bool:
    if who == ALL:
        return True
    if who == MANAGER:
        return role == Role.MANAGER
    if who == READERS:
        return role != Role.MANAGER
    if who == ADMIN:
        return role == Role.ADMIN
    return role == Role.ADMIN or api_self_service  # the API tokens page


@lru_cache(maxsize=4096)
def _links(code: str, role: str, api_self_service: bool, language: str) -> tuple:
    """(section, the link's opening `<a href="..."`, its label) of each entry the role sees, in
    this language; a page this build does not have is left out."""
    links = []
    for name, section, label, who in ENTRIES:
        if not _sees(who, role, api_self_service):
            continue
        try:
            url = reverse(name, kwargs={"tenant_code": code})
        except NoReverseMatch:
            continue
        if label is None:
            label = _("My calls") if role == Role.MANAGER else _("History")
        links.append((section, f'<a href="{escape(url)}"', escape(label)))
    return tuple(links)


def nav_html(membership: Membership, section: str | None, current: str, due) -> SafeString:
    """The links of the member's navigation; `section`'s link marked `aria-current=current`;
    `due()` counts a customer manager's follow-ups due today (called only for them)."""
    tenant = membership.tenant
    links = _links(str(tenant.code), membership.role, tenant.api_self_service, get_language())
    out = []
    for link_section, opening, label in links:
        mark = f' aria-current="{current}"' if link_section == section else ""
        badge = ""
        if link_section == "follow-ups" and membership.role == Role.MANAGER:
            n = due()
            if n > 999:
                badge = f' <span class="badge">{escape(_("999+ due"))}</span>'
            elif n:
                words = ngettext("%(n)s due", "%(n)s due", n) % {"n": n}
                badge = f' <span class="badge">{escape(words)}</span>'
        out.append(f"{opening}{mark}>{label}{badge}</a>")
    return mark_safe("\n      ".join(out))  # noqa: S308 - URLs, labels and counts escaped
