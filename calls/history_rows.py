"""The history table's rows, written as HTML here rather than in a template loop (as the Django
admin writes its changelist rows in Python): a 50-row page ran about 25 template nodes per row,
which was a third of the page's time (docs/performance.md, "History rows written in Python").

Every value from the database or a translation goes through `escape` (django.utils.html); the
markup is the table's, column for column, as templates/calls/history.html declares its header."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from calls import selectors
from calls.call_status import history_status
from calls.links import TenantLinks
from calls.markup import escape
from calls.models import Call, WrapUpState
from calls.readers import reader_for
from console.models import Membership
from customers.selectors import names_for


def history_rows(membership: Membership, calls: list[Call], dispositions: list) -> SafeString:
    """The <tr> of each call of the page, joined. Each row's one status comes from
    calls.call_status, with calls sharing a reason or an outcome decoded once per page; URLs come
    from calls.links (reversed once per tenant)."""
    tz = ZoneInfo(membership.tenant.time_zone)
    links = TenantLinks(membership.tenant.code)
    can_call = membership.role == Membership.Role.MANAGER
    show_who = membership.can_read_history
    now = timezone.now()
    names, memo = {}, {}
    # The customers' names: one query for the page's numbers.
    customers = names_for(membership.tenant, {c.customer_number for c in calls})
    labels = {d.pk: escape(d.label) for d in dispositions}
    pending_on = membership.tenant.wrapup_required
    words = {
        "again": escape(_("Call again")),
        "overdue": escape(_("Outcome overdue")),
        "awaiting": escape(_("Awaiting wrap-up")),
        "note": escape(_("note")),
        "override": escape(_("Called anyway")),
        "phone": escape(_("Phone not reached") if show_who else _("Your phone was not reached")),
    }
    out = []
    for c in calls:
        shown = history_status(c, memo, now, reader_for(membership, c))
        cells = [
            f'<td><a href="{escape(links.of("call-detail", c))}">'
            f"{c.created_at.astimezone(tz):%Y-%m-%d %H:%M}</a></td>"
        ]
        if show_who:
            cells.append(f"<td>{_who(c, names)}</td>")
        cells.append(f'<td class="hide-narrow">{escape(c.softphone)}</td>')
        cells.append(f"<td>{_customer(c, customers, links)}</td>")
        badges = [f'<span class="badge {shown.tone}">{escape(shown.short)}</span>']
        if selectors.is_overdue(c, now):
            badges.append(f' <span class="badge overdue">{words["overdue"]}</span>')
        if c.override_code:  # placed although a guardrail said no (guardrails.preflight)
            badges.append(f' <span class="badge warn">{words["override"]}</span>')
        if pending_on and c.wrapup_state == WrapUpState.PENDING:
            badges.append(f' <span class="badge warn">{words["awaiting"]}</span>')
        elif c.wrapup_state == WrapUpState.PHONE:
            badges.append(f' <span class="badge bad">{words["phone"]}</span>')
        label = labels.get(c.disposition_id, "")
        if label:
            badges.append(f'<br><span class="disposition">{label}</span>')
            if c.has_note:
                badges.append(f' <span class="muted">({words["note"]})</span>')
        if c.serial:
            badges.append(f'<br><span class="serial muted">{escape(c.serial)}</span>')
        cells.append(f"<td>{''.join(badges)}</td>")
        again = ""
        if can_call and c.user_id == membership.user_id and not shown.live:
            again = f'<a href="{escape(links.call_again(c.called))}">{words["again"]}</a>'
        cells.append(f"<td>{again}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def _who(call: Call, names: dict) -> str:
    if call.user_id is None:
        return '<span class="muted">—</span>'
    who = names.get(call.user_id)
    if who is None:
        who = names[call.user_id] = escape(call.user.get_full_name() or call.user.username)
    return who


def _customer(call: Call, customers: dict, links: TenantLinks) -> str:
    called = escape(call.called)
    if call.customer_number:
        html = f'<a href="{escape(links.customer(call.customer_number))}">{called}</a>'
    else:
        html = called
    name = customers.get(call.customer_number, "")
    if name:
        html += f'<br><span class="customer-name">{escape(name)}</span>'
    return html
