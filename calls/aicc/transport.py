"""Sending to AICC: one requests Session per process, and the fault name of a request that got
no answer."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import socket
import ssl
import threading
import time

import requests
from requests.adapters import HTTPAdapter

_HEADERS = {"User-Agent": "aicc-console", "Accept": "application/json"}


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Keeps no cookie and sends none: every AICC request stands on its own."""

    def set_ok(self, cookie, request) -> bool:
        return False

    def return_ok(self, cookie, request) -> bool:
        return False


def new_session() -> requests.Session:
    """A Session for AICC: no retries of any kind (a createCall must never be resent behind the
    caller's back), up to 50 kept connections per AICC host, no cookies. Proxies and the CA
    bundle come from the environment as requests reads them (HTTPS_PROXY, NO_PROXY,
    REQUESTS_CA_BUNDLE); by default requests trusts certifi's bundle."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=10, pool_maxsize=50, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.cookies.set_policy(_NoCookies())
    return session


_lock = threading.Lock()
_session: requests.Session | None = None
_session_pid: int | None = None


def shared_session() -> requests.Session:
    """The process's Session, made on first use and anew in a forked child (a child must not
    share its parent's sockets)."""
    global _session, _session_pid
    if _session_pid != os.getpid():
        with _lock:
            if _session_pid != os.getpid():
                _session = new_session()
                _session_pid = os.getpid()
    return _session


# What a request may raise instead of answering: requests' own errors, and any socket or
# http.client error that reaches the caller unwrapped.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException,
    http.client.HTTPException,
    OSError,
)


def post(
    session: requests.Session,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: tuple[float, float],
    verify: bool,
) -> tuple[requests.Response | None, BaseException | None, float]:
    """POST once: (the response or None, the error or None, elapsed milliseconds). A 3xx is
    returned as it is, never followed."""
    started = time.perf_counter()
    try:
        response = session.post(
            url,
            data=body,
            headers={**_HEADERS, **headers},
            timeout=timeout,
            verify=verify,
            allow_redirects=False,
        )
    except _TRANSPORT_ERRORS as exc:
        return None, exc, (time.perf_counter() - started) * 1000.0
    return response, None, (time.perf_counter() - started) * 1000.0


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (args, reason, __cause__, __context__)."""
    seen: list[BaseException] = []
    stack = [exc]
    while stack and len(seen) < 32:
        current = stack.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__]
        linked.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        stack.extend(e for e in linked if isinstance(e, BaseException))
    return seen


def classify_exception(exc: BaseException) -> str:
    """Map a requests exception (or a socket or http.client one), and whatever it wraps, to a
    transport fault name: tls, timeout, dns, refused or reset."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.Timeout):  # ConnectTimeout, ReadTimeout
        return "timeout"
    chain = _causes(exc)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    if any(isinstance(e, TimeoutError) for e in chain):  # a body read that timed out
        return "timeout"
    # RemoteDisconnected, ConnectionResetError, ProtocolError and any other connection-level
    # failure.
    return "reset"


def exception_names(exc: BaseException) -> str:
    """The names of the first exceptions of the chain, for Outcome.detail."""
    return "/".join(dict.fromkeys(type(e).__name__ for e in _causes(exc)[:3]))
