"""The Django admin, for superusers only: a read-mostly view of the Call table (it is also the
baseline the history benchmark compares against, see bench/history.py)."""

from django.contrib import admin

from calls.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "tenant", "user", "softphone", "called", "status", "serial")
    list_select_related = ("tenant", "user")
    list_filter = ("status",)
    search_fields = ("serial",)
    raw_id_fields = ("tenant", "user")
    readonly_fields = ("code", "created_at")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
