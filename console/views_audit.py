"""The audit log: who changed what, newest first, for admins and supervisors."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access import READERS, tenant_view
from console.audit import ACTIONS
from console.audit_words import describe
from console.htmx import wants_partial

PAGE_SIZE = 50


class AuditFilter(forms.Form):
    """The page's filters; a value that is not valid (a NUL character, an id past the column's
    range, an unknown action) is ignored rather than sent to the database."""

    action = forms.ChoiceField(choices=[("", ""), *ACTIONS.items()], required=False)
    actor = forms.CharField(max_length=150, required=False)
    before = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


@tenant_view(roles=READERS)
@require_GET
def audit_log(request):
    form = AuditFilter(request.GET)
    form.is_valid()
    action = form.cleaned_data.get("action") or ""
    actor = form.cleaned_data.get("actor") or ""
    before = form.cleaned_data.get("before")
    qs = request.tenant.audit_entries.select_related("actor").order_by("-id")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor__username=actor)
    if before is not None:  # keyset paging: ids only grow, like the time of the change
        qs = qs.filter(id__lt=before)
    entries = list(qs[: PAGE_SIZE + 1])
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    ctx = {
        "entries": [describe(e) for e in entries],
        "next_before": entries[-1].id if more else None,
        "actions": ACTIONS.items(),
        "action": action,
        "actor": actor,
        "paged": before is not None,
    }
    tpl = "console/audit.html" + ("#audit-table" if wants_partial(request) else "")
    return render(request, tpl, ctx)
