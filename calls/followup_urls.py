from django.urls import path

from calls import followup_views as v

T = "t/<uuid:tenant_code>/follow-ups/"

urlpatterns = [
    path(T, v.follow_ups, name="follow-ups"),
    path(T + "new/", v.follow_up_new, name="follow-up-new"),
    path(T + "<uuid:follow_up_code>/", v.follow_up_edit, name="follow-up-edit"),
    path(T + "<uuid:follow_up_code>/cancel/", v.follow_up_cancel, name="follow-up-cancel"),
    path(T + "<uuid:follow_up_code>/done/", v.follow_up_done, name="follow-up-done"),
]
