"""Tenant administration pages: settings and credentials, softphones, people, audit log."""

from django.urls import path

from console import views_audit, views_people, views_settings, views_softphones

T = "t/<uuid:tenant_code>/"

urlpatterns = [
    path(T + "settings/", views_settings.tenant_settings, name="tenant-settings"),
    path(T + "settings/test/", views_settings.settings_test, name="tenant-settings-test"),
    path(T + "softphones/", views_softphones.softphones, name="softphones"),
    path(T + "softphones/add/", views_softphones.softphone_add, name="softphone-add"),
    path(T + "softphones/import/", views_softphones.softphones_import, name="softphones-import"),
    path(T + "softphones/export.csv", views_softphones.softphones_export, name="softphones-export"),
    path(
        T + "softphones/allocated/",
        views_softphones.softphones_allocated,
        name="softphones-allocated",
    ),
    path(
        T + "softphones/<uuid:mapping_code>/",
        views_softphones.softphone_edit,
        name="softphone-edit",
    ),
    path(
        T + "softphones/<uuid:mapping_code>/toggle/",
        views_softphones.softphone_toggle,
        name="softphone-toggle",
    ),
    path(T + "people/", views_people.people, name="people"),
    path(T + "people/new/", views_people.people_create, name="people-create"),
    path(T + "people/invite/", views_people.people_invite, name="people-invite"),
    path(
        T + "people/invitations/<uuid:invitation_code>/withdraw/",
        views_people.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path(T + "people/<uuid:member_code>/role/", views_people.person_role, name="person-role"),
    path(T + "people/<uuid:member_code>/remove/", views_people.person_remove, name="person-remove"),
    path(
        T + "people/<uuid:member_code>/two-factor/reset/",
        views_people.person_two_factor_reset,
        name="person-two-factor-reset",
    ),
    path(T + "audit/", views_audit.audit_log, name="audit"),
]
