from django.urls import path

from calls import call_views, timeline_views

urlpatterns = [
    path("call/", call_views.deep_link, name="call-link"),
    path("t/<uuid:tenant_code>/call/", call_views.call, name="call"),
    path(
        "t/<uuid:tenant_code>/call/customer/",
        timeline_views.customer_card,
        name="call-customer-card",
    ),
    path(
        "t/<uuid:tenant_code>/calls/<uuid:call_code>/status/",
        call_views.call_status,
        name="call-status",
    ),
    path(
        "t/<uuid:tenant_code>/calls/<uuid:call_code>/unfollow/",
        call_views.call_unfollow_view,
        name="call-unfollow",
    ),
]
