"""The API object: token authentication, problem+json for every error, the OpenAPI schema
(`/api/v1/openapi.json`) and its page (`/api/v1/docs`).

Only `Authorization: Bearer <token>` authenticates (api/tokens.py); a session cookie does not,
so no CSRF token is needed or checked. The token decides the tenant and the person: there is no
tenant in the URL. Each request has `request.auth` (the token's membership), `request.tenant` and
`request.membership`, like a tenant page.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import HttpBearer

from api import tokens
from api.endpoints import ROUTERS
from api.problems import MEDIA_TYPE, ProblemError, problem_response

DESCRIPTION = """
The AICC console's API: place two-way calls for a customer manager, read the call history and
the decoded reasons. Authenticate with a personal API token (`Authorization: Bearer aicc_...`),
issued on the console's API tokens page or with `manage.py api_token create`; it acts as its
person, with their role, in their tenant only. Errors are `application/problem+json`
(RFC 9457). docs/integrations.md has curl examples.
"""


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        membership = tokens.authenticate(token)  # raises RateLimited
        if membership is not None:
            request.membership, request.tenant = membership, membership.tenant
        return membership


class Docs(DocsBase):
    """Swagger UI from django-ninja's own static files, started by a static script: no CDN and
    no inline script, so the console's Content-Security-Policy holds."""

    def render_page(self, request, api, **kwargs):
        url = self.get_openapi_url(api, kwargs)
        return render(request, "api/docs.html", {"openapi_url": url, "api": api})


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        return operation.view_func.__name__  # "place_call", "list_calls", ...

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Errors are declared as application/problem+json, and 429 with its Retry-After."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
                    if int(status) == 429:
                        response["headers"] = {
                            "Retry-After": {
                                "description": "Seconds until the token may send requests again.",
                                "required": True,
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        }
        return schema


api = Api(
    title="AICC Console API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


@api.exception_handler(ProblemError)
def _problem(request, exc):
    return problem_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = problem_response(
        ProblemError(
            401,
            _(
                "Send a valid API token: Authorization: Bearer <token>. It may be unknown, "
                "revoked or expired, or its person no longer in the tenant."
            ),
        )
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(tokens.RateLimited)
def _rate_limited(request, exc):
    return problem_response(
        ProblemError(
            429,
            _("This token may send %(limit)s requests a minute. Try again in %(seconds)s s.")
            % {"limit": exc.limit, "seconds": exc.retry_after},
            headers={"Retry-After": str(exc.retry_after)},
        )
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
        errors.setdefault(".".join(loc) or "request", []).append(str(error.get("msg", "")))
    return problem_response(
        ProblemError(422, _("The request is not valid: see errors."), errors=errors)
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(ProblemError(exc.status_code, str(exc)))


def urls():
    """The API's URL patterns, each answering a method it does not take (405) with a problem
    too (django-ninja answers it with a plain text body), `Allow` kept."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _problem_on_405(pattern.callback)
    return patterns, app_name, namespace


def _problem_on_405(view):
    @wraps(view)  # keeps csrf_exempt: the API takes no cookies
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(MEDIA_TYPE):
            return response
        detail = _("This address does not take %(method)s: it takes %(allowed)s.") % {
            "method": request.method,
            "allowed": response.get("Allow", ""),
        }
        problem = problem_response(ProblemError(405, detail))
        problem["Allow"] = response.get("Allow", "")
        return problem

    return wrapper


def _not_found(request, exc):
    return problem_response(ProblemError(404, _("There is no such thing here.")))


api.add_exception_handler(Http404, _not_found)
