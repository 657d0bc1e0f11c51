from django.contrib import admin
from django.urls import include, path

from console import views, views_invitation

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (a recording opened on its own).
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invitation/", views_invitation.invitation_open, name="invitation-open"),
    path("invitation/<str:token>/", views_invitation.invitation_link, name="invitation"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("t/<uuid:tenant_code>/", views.tenant_home, name="tenant-home"),
    path("", include("console.tenant_urls")),
    path("", include("calls.urls")),
    path("django-admin/", admin.site.urls),
]
