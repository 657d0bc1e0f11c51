from django.contrib import admin
from django.urls import include, path

from console import views, views_invitation, views_two_factor

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (a recording opened on its own).
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/two-factor/", views_two_factor.login_two_factor, name="login-two-factor"),
    path("accounts/two-factor/", views_two_factor.two_factor, name="two-factor"),
    path("accounts/two-factor/setup/", views_two_factor.two_factor_setup, name="two-factor-setup"),
    path(
        "accounts/two-factor/confirm/",
        views_two_factor.two_factor_confirm,
        name="two-factor-confirm",
    ),
    path("accounts/two-factor/codes/", views_two_factor.two_factor_codes, name="two-factor-codes"),
    path("accounts/two-factor/off/", views_two_factor.two_factor_off, name="two-factor-off"),
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
    path("", include("customers.urls")),  # before calls.urls: see customers/urls.py
    path("", include("guardrails.urls")),
    path("", include("calls.urls")),
    path("", include("lists.urls")),  # call lists and "Call next" (issue 19)
    path("", include("hooks.urls")),
    path("", include("api.urls")),  # the REST API (/api/v1/) and the API tokens page
    path("django-admin/", admin.site.urls),
]
