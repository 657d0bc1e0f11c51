from django.urls import include, path

urlpatterns = [
    path("", include("calls.call_urls")),  # click-to-call (the call page, status, deep link)
    path("", include("calls.history_urls")),  # history, detail, export, dashboard, callbacks
    path("", include("calls.wrapup_urls")),  # wrap-up, comments, the admin's dispositions
    path("", include("calls.followup_urls")),  # follow-ups: the list and its actions
    path("", include("calls.health_urls")),  # the admins' softphone health board
]
