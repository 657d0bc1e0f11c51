"""Django admin, for superusers only (tenant staff use the console's own pages).

Secrets are never shown here either: the app secret is excluded from the tenant form and only
"set"/"not set" is displayed.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from console.models import AuditEntry, Membership, SoftphoneMapping, Tenant


def _superuser_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superuser_only


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
