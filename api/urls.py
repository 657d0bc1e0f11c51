from django.urls import path, re_path

from api import views
from api.v1 import urls as api_urls

T = "t/<uuid:tenant_code>/"

urlpatterns = [
    path("api/v1/", api_urls()),
    # Anything else under the API: a problem+json 404, not the HTML page.
    re_path(r"^api/v1/", views.api_not_found, name="api-not-found"),
    path(T + "api-tokens/", views.api_tokens, name="api-tokens"),
    path(
        T + "api-tokens/<uuid:token_code>/revoke/", views.api_token_revoke, name="api-token-revoke"
    ),
]
