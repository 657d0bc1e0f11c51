from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from console.access import tenant_view
from console.middleware import client_ip
from console.models import Membership
from console.ratelimit import LOGIN_FAILED, allow, used
from console.selectors import membership_to_open
from console.services.two_factor import sign_in_begin
from console.tenancy import CURRENT_TENANT

LANDING = {  # each role lands where its work is
    Membership.Role.MANAGER: "call",
    Membership.Role.SUPERVISOR: "history",
    Membership.Role.ADMIN: "tenant-settings",
}


@login_required
@require_GET
def home(request):
    membership = membership_to_open(request.user, request.session.get(CURRENT_TENANT))
    if membership is None:
        return render(request, "console/no_tenant.html", status=403)
    return redirect("tenant-home", tenant_code=membership.tenant.code)


@tenant_view()
@require_GET
def tenant_home(request):
    return redirect(LANDING[request.membership.role], tenant_code=request.tenant.code)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (a recording opened on its own)."""
    return redirect(static("console/favicon.svg"), permanent=True)


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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the e-mails limited per address and per client: the page answers the same
    either way (as it does for an unknown address), but no more e-mails go out."""

    def form_valid(self, form):
        window = timedelta(hours=1)
        email = form.cleaned_data["email"].strip().lower()
        if allow(
            "reset-client",
            client_ip(self.request) or "-",
            limit=settings.PASSWORD_RESET_PER_CLIENT,
            window=window,
        ) and allow("reset-email", email, limit=settings.PASSWORD_RESET_PER_EMAIL, window=window):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class LoginView(auth_views.LoginView):
    """Django's, with a cap on failed logins from one client address across all usernames
    (django-axes locks one username at one address; this stops guessing many usernames). A
    person with two-factor sign-in on is not logged in by the password: the code step follows
    (console/views_two_factor.py), with the checked `next` kept for after it."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        if sign_in_begin(self.request, form.get_user(), self.get_redirect_url()):
            return redirect("login-two-factor")
        return super().form_valid(form)

    def post(self, request, *args, **kwargs):
        window = timedelta(hours=settings.AXES_COOLOFF_TIME)
        failures = used(LOGIN_FAILED, client_ip(request) or "-", window=window)
        if failures >= settings.LOGIN_FAILURES_PER_CLIENT:
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; a new password also lifts a login lockout of that person (they proved they own
    the account's e-mail address)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
