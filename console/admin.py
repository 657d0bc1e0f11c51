"""Django admin, for superusers only (tenant staff use the console's own pages).

Secrets are never shown here either: the app secret is excluded from the tenant form and only
"set"/"not set" is displayed. django-otp's own pages (its devices, with their keys and recovery
codes) are left out: two-factor sign-in changes only through the console's pages and
`manage.py two_factor_reset`, which also end the person's sessions (console/two_factor.py).

Signing in goes through the console's own login, with its two-factor step: the admin's login
page sends there (a password alone must not open the admin either).
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.models import AuditEntry, Membership, SoftphoneMapping, Tenant


def _superuser_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


def _login(request, extra_context=None):
    """Signed in but no superuser: turned away. Otherwise to the console's login (and back)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.has_permission = _superuser_only
admin.site.login = _login
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "aicc_base_url", "call_type", "is_trial")
    search_fields = ("name", "slug")
    exclude = ("app_secret",)
    readonly_fields = ("code", "secret_status", "created_at")

    @admin.display(description=_("app secret"))
    def secret_status(self, obj):
        return _("set") if obj.app_secret else _("not set")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant", "role")
    list_filter = ("role", "tenant")
    search_fields = ("user__username", "tenant__name")
    raw_id_fields = ("user",)


@admin.register(SoftphoneMapping)
class SoftphoneMappingAdmin(admin.ModelAdmin):
    list_display = ("softphone", "user", "tenant", "calling_number", "enabled")
    list_filter = ("enabled", "tenant")
    search_fields = ("softphone", "user__username")
    raw_id_fields = ("user",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "tenant", "actor", "action", "target")
    list_filter = ("action", "tenant")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
