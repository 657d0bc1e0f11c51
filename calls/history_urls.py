from django.urls import path

from calls import callback_views, dashboard_views, history_views, timeline_views, wallboard_views

urlpatterns = [
    path("t/<uuid:tenant_code>/live/", wallboard_views.wallboard, name="wallboard"),
    path("t/<uuid:tenant_code>/calls/", history_views.history, name="history"),
    path(
        "t/<uuid:tenant_code>/calls/export.csv", history_views.history_export, name="history-export"
    ),
    path(
        "t/<uuid:tenant_code>/calls/export.xlsx",
        history_views.history_export_xlsx,
        name="history-export-xlsx",
    ),
    path(
        "t/<uuid:tenant_code>/calls/callbacks/", callback_views.callbacks, name="history-callbacks"
    ),
    path(
        "t/<uuid:tenant_code>/calls/<uuid:call_code>/",
        history_views.call_detail,
        name="call-detail",
    ),
    path(
        "t/<uuid:tenant_code>/calls/<uuid:call_code>/refresh/",
        history_views.call_refresh,
        name="call-refresh",
    ),
    path(
        "t/<uuid:tenant_code>/calls/<uuid:call_code>/recording/",
        history_views.call_recording,
        name="call-recording",
    ),
    path("t/<uuid:tenant_code>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    # A customer's timeline: the number in any form (customers/urls.py, included first, has the
    # directory's fixed paths).
    path(
        "t/<uuid:tenant_code>/customers/<str:number>/",
        timeline_views.customer_timeline,
        name="customer-timeline",
    ),
    # Pushed by AICC (aicc-api.md §12): the URL alone decides the tenant.
    path(
        "t/<uuid:tenant_code>/aicc/<str:token>/connect/",
        callback_views.aicc_event,
        {"kind": "connect"},
        name="aicc-connect-event",
    ),
    path(
        "t/<uuid:tenant_code>/aicc/<str:token>/release/",
        callback_views.aicc_event,
        {"kind": "release"},
        name="aicc-release-event",
    ),
]
