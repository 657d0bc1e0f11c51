"""The audit log: who changed what, newest first, for admins and supervisors."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.access import READERS, tenant_view
from console.audit import ACTIONS
from console.htmx import wants_partial

PAGE_SIZE = 50


@tenant_view(roles=READERS)
@require_GET
def audit_log(request):
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "").strip()
    qs = request.tenant.audit_entries.select_related("actor").order_by("-id")
    if action in ACTIONS:
        qs = qs.filter(action=action)
    else:
        action = ""
    if actor:
        qs = qs.filter(actor__username=actor)
    before = request.GET.get("before", "")
    if before.isdigit():  # keyset paging: ids only grow, like the time of the change
        qs = qs.filter(id__lt=int(before))
    entries = list(qs[: PAGE_SIZE + 1])
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    ctx = {
        "entries": entries,
        "next_before": entries[-1].id if more else None,
        "actions": ACTIONS.items(),
        "action": action,
        "actor": actor,
        "paged": before.isdigit(),
    }
    tpl = "console/audit.html" + ("#audit-table" if wants_partial(request) else "")
    return render(request, tpl, ctx)
