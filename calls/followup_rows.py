"""The follow-ups list's rows, written as HTML here rather than in a template loop (as the
history's rows, calls/history_rows.py): about 25 template nodes per row were most of the page's
time (docs/performance.md, "Rows written in Python").

Every value from the database or a translation goes through `escape`; the markup is what
templates/calls/followups.html puts in each group's <ul>."""

from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from calls.markup import escape


def rows_html(request, rows: list[dict]) -> SafeString:
    """The <li> of each row (calls.followup_views._rows: its words and links), joined."""
    readers = request.membership.can_read_history
    csrf = escape(get_token(request))
    done_label, edit_label = escape(_("Mark done")), escape(_("Reschedule or cancel"))
    source_label = escape(_("the call it follows"))
    out = []
    for r in rows:
        f = r["f"]
        code, called = escape(f.code), escape(f.called)
        head = (
            f'<strong class="number">{called}</strong>\n        '
            f'<span><time datetime="{escape(r["due_iso"])}">{escape(r["due"])}</time> '
            f'<span class="muted">({escape(r["relative"])})</span></span>'
        )
        if readers:
            head += f"\n        <span>{escape(r['assignee'])}</span>"
        note = f'\n      <p class="note">{linebreaksbr(f.note)}</p>' if f.note else ""
        facts = escape(r["scheduled_by"])
        if r["source_url"]:
            facts += f' · <a href="{escape(r["source_url"])}">{source_label}</a>'
        if r["placed_url"]:
            facts += f' · <a href="{escape(r["placed_url"])}">{escape(r["placed_label"])}</a>'
        call = ""
        if r["call_url"]:
            call = f'<a class="button" href="{escape(r["call_url"])}">{escape(r["call_label"])}</a>'
        done, edit = escape(r["done_url"]), escape(r["edit_url"])
        hidden = f'<span class="visually-hidden"> {called}</span>'
        out.append(
            f'<li class="card followup" id="fu-{code}">\n'
            f'      <div class="followup-head">{head}</div>{note}\n'
            f'      <p class="muted small">{facts}</p>\n'
            f'      <div class="actions">\n        {call}\n'
            f'        <form method="post" action="{done}" class="inline" hx-post="{done}" '
            f'hx-target="#fu-{code}" hx-swap="outerHTML">\n'
            f'          <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            f'<button type="submit" class="secondary">{done_label}{hidden}</button></form>\n'
            f'        <a class="button secondary" href="{edit}">{edit_label}{hidden}</a>\n'
            f"      </div>\n    </li>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
