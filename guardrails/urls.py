from django.urls import path

from guardrails import views

T = "t/<uuid:tenant_code>/settings/"

urlpatterns = [
    path(T + "guardrails/", views.guardrails_settings, name="guardrails-settings"),
    path(T + "do-not-call/", views.dnc_list, name="dnc"),
    path(T + "do-not-call/import/", views.dnc_import, name="dnc-import"),
    path(T + "do-not-call/export.csv", views.dnc_export, name="dnc-export"),
    path(T + "do-not-call/<uuid:dnc_code>/remove/", views.dnc_remove, name="dnc-remove"),
]
