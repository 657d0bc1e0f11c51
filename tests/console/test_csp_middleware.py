"""The console's CSP middleware gives every response django-csp's own header, built once, and
leaves anything per-response to django-csp."""

import csp.constants
import csp.middleware
from django.http import HttpResponse
from django.test import RequestFactory

from console.middleware import CSPMiddleware

HEADER = "Content-Security-Policy"


def _directives(header):
    return sorted(d.strip() for d in header.split(";"))


def run(middleware, response):
    request = RequestFactory().get("/")
    middleware.process_request(request)
    return middleware.process_response(request, response), request


def test_same_header_as_django_csp(settings):
    ours, _ = run(CSPMiddleware(lambda r: None), HttpResponse())
    theirs, _ = run(csp.middleware.CSPMiddleware(lambda r: None), HttpResponse())
    assert _directives(ours[HEADER]) == _directives(theirs[HEADER])
    assert "default-src 'self'" in ours[HEADER]


def test_a_changed_policy_is_seen(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    ours, _ = run(CSPMiddleware(lambda r: None), HttpResponse())
    assert "default-src 'none'" in ours[HEADER]


def test_per_response_policies_and_nonces_take_django_csps_path(settings):
    response = HttpResponse()
    response._csp_update = {"img-src": ["data:"]}
    ours, _ = run(CSPMiddleware(lambda r: None), response)
    assert "data:" in ours[HEADER]

    exempt = HttpResponse()
    exempt._csp_exempt = True
    assert HEADER not in run(CSPMiddleware(lambda r: None), exempt)[0]

    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"script-src": ["'self'", csp.constants.NONCE]}
    }
    middleware = CSPMiddleware(lambda r: None)
    request = RequestFactory().get("/")
    middleware.process_request(request)
    nonce = str(request.csp_nonce)  # a template used the nonce
    response = middleware.process_response(request, HttpResponse())
    assert f"'nonce-{nonce}'" in response[HEADER]
