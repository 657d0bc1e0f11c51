from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from console.access import current_membership, tenant_access
from console.models import Membership


@login_required
@require_GET
def home(request):
    m = current_membership(request)
    if m is None:
        return render(request, "console/no_tenant.html", status=403)
    return redirect("tenant-home", tenant=m.tenant.code)


@login_required
@require_GET
def tenant_home(request, tenant):
    """Each role lands where its work is."""
    m = tenant_access(request, tenant)
    target = {
        Membership.Role.MANAGER: "call",
        Membership.Role.SUPERVISOR: "history",
        Membership.Role.ADMIN: "tenant-settings",
    }[m.role]
    return redirect(target, tenant=m.tenant.code)


@require_GET
def healthz(request):
    """For load balancers: the database answers. No secrets, no AICC call."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
