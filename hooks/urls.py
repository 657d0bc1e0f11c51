from django.urls import path

from hooks import views

T = "t/<uuid:tenant_code>/webhooks/"
E = T + "<uuid:endpoint_code>/"

urlpatterns = [
    path(T, views.webhooks, name="webhooks"),
    path(T + "add/", views.webhook_add, name="webhook-add"),
    path(E, views.webhook_detail, name="webhook-detail"),
    path(E + "rotate/", views.webhook_rotate, name="webhook-rotate"),
    path(E + "remove/", views.webhook_remove, name="webhook-remove"),
    path(E + "deliveries/<int:delivery_id>/resend/", views.webhook_resend, name="webhook-resend"),
]
