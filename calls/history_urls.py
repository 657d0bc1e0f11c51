from django.urls import path

from calls import callback_views, dashboard_views, history_views

urlpatterns = [
    path("t/<uuid:tenant>/calls/", history_views.history, name="history"),
    path("t/<uuid:tenant>/calls/export.csv", history_views.history_export, name="history-export"),
    path("t/<uuid:tenant>/calls/callbacks/", callback_views.callbacks, name="history-callbacks"),
    path("t/<uuid:tenant>/calls/<uuid:call>/", history_views.call_detail, name="call-detail"),
    path(
        "t/<uuid:tenant>/calls/<uuid:call>/refresh/",
        history_views.call_refresh,
        name="call-refresh",
    ),
    path(
        "t/<uuid:tenant>/calls/<uuid:call>/recording/",
        history_views.call_recording,
        name="call-recording",
    ),
    path("t/<uuid:tenant>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    # Pushed by AICC (aicc-api.md §12): the URL alone decides the tenant.
    path(
        "t/<uuid:tenant>/aicc/<str:token>/connect/",
        callback_views.aicc_event,
        {"kind": "connect"},
        name="aicc-connect-event",
    ),
    path(
        "t/<uuid:tenant>/aicc/<str:token>/release/",
        callback_views.aicc_event,
        {"kind": "release"},
        name="aicc-release-event",
    ),
]
