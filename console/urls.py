from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views

urlpatterns = [
    # Click-to-call first: it is the busiest page, and URLs are tried in order.
    path("", include("calls.urls")),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("t/<uuid:tenant_code>/", views.tenant_home, name="tenant-home"),
    path("", include("console.tenant_urls")),
    path("django-admin/", admin.site.urls),
]
