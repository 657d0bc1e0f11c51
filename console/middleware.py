import logging
import re
import time
from uuid import uuid4

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from console.logging import current_request

access_log = logging.getLogger("console.request")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class HtmxLoginRedirectMiddleware:
    """An htmx request from a logged-out user gets a full-page redirect to the login form,
    instead of the login page being swapped into a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and not request.user.is_authenticated
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            nxt = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': nxt})}"
            )
        return response


class RequestIdMiddleware:
    """Gives each request an id (the reverse proxy's X-Request-ID when it looks like one, else a
    new one), makes it and the request's tenant and user available to every log line, returns it
    in the X-Request-ID response header, and logs one line per request (the access log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid4().hex
        token = current_request.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            access_log.log(
                logging.DEBUG if request.path == "/healthz" else logging.INFO,
                "%s %s %s %.1fms",
                request.method,
                loggable_path(request),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            current_request.reset(token)


def loggable_path(request) -> str:
    """The request's path and query for the log, with secret URL parts (a callback token, a
    password-reset token: URL kwargs named *token*, *secret* or *key*) replaced. Phone numbers
    are masked later, by the log filter."""
    path = request.get_full_path()
    match = getattr(request, "resolver_match", None)
    for name, value in (match.kwargs if match else {}).items():
        if isinstance(value, str) and value and any(w in name for w in ("token", "secret", "key")):
            path = path.replace(value, "[redacted]")
    return path[:500]


def client_ip(request) -> str | None:
    """The client's address for login throttling (AXES_CLIENT_IP_CALLABLE). Behind
    TRUSTED_PROXY_COUNT reverse proxies it is the address the outermost trusted proxy saw (counted
    from the right of X-Forwarded-For, so a client cannot forge it); without proxies, REMOTE_ADDR."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
