from django.urls import path

from calls import health_views

urlpatterns = [
    path(
        "t/<uuid:tenant_code>/softphones/health/",
        health_views.softphone_health,
        name="softphone-health",
    ),
]
