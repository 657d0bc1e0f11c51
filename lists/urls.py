"""Call lists (issue 19): the supervisors' pages and the managers' "Call next"."""

from django.urls import path

from lists import views, views_next

T = "t/<uuid:tenant_code>/lists/"
L = T + "<uuid:list_code>/"

urlpatterns = [
    path(T, views.call_lists, name="call-lists"),
    path(T + "new/", views.call_list_new, name="call-list-new"),
    path(T + "next/", views_next.call_next, name="call-next"),
    path(T + "entries/<uuid:entry_code>/call/", views_next.entry_call, name="call-list-entry-call"),
    path(T + "entries/<uuid:entry_code>/skip/", views_next.entry_skip, name="call-list-entry-skip"),
    path(L, views.call_list, name="call-list"),
    path(L + "edit/", views.call_list_edit, name="call-list-edit"),
    path(L + "import/", views.call_list_import, name="call-list-import"),
    path(L + "assign/", views.call_list_assign, name="call-list-assign"),
    path(L + "pause/", views.call_list_pause, name="call-list-pause"),
    path(L + "export.csv", views.call_list_export, name="call-list-export"),
]
