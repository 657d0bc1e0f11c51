from django.urls import path

from calls import wrapup_views

T = "t/<uuid:tenant_code>/"

urlpatterns = [
    path(T + "calls/<uuid:call_code>/wrap-up/", wrapup_views.wrapup, name="call-wrapup"),
    path(
        T + "calls/<uuid:call_code>/wrap-up/comments/",
        wrapup_views.wrapup_comment_view,
        name="call-wrapup-comment",
    ),
    # The admin's Wrap-up page: the tenant's settings and dispositions.
    path(T + "settings/wrap-up/", wrapup_views.wrapup_settings, name="wrapup-settings"),
    path(T + "settings/wrap-up/add/", wrapup_views.disposition_add, name="disposition-add"),
    path(
        T + "settings/wrap-up/<uuid:disposition_code>/",
        wrapup_views.disposition_edit,
        name="disposition-edit",
    ),
    path(
        T + "settings/wrap-up/<uuid:disposition_code>/action/",
        wrapup_views.disposition_action,
        name="disposition-action",
    ),
]
