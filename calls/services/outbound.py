"""Where the console may connect when a tenant admin chose the address: the AICC base and token
URLs, and the recording addresses AICC answers with. A server-side request forgery guard.

https only, and only to public addresses, unless the deployment allows private ones
(`OUTBOUND_ALLOW_PRIVATE`, on in development for the simulator on loopback); a recording only from
the tenant's own AICC hosts or `RECORDING_HOSTS`. Redirects are never followed (the AICC client and
the recording download both refuse them). A host name is resolved when `resolve` is asked (saving
the settings, "Test connection", a recording); on every placed call only a literal address is
checked, to add no DNS lookup to the call (a name that later resolves to a private address is
refused at the next save or test, not in between).
"""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from calls.aicc.reasons import Reason, decode


class Blocked(Exception):
    """The address is not one the console connects to: nothing was sent."""

    def reason(self) -> Reason:
        return decode("transport", "blocked")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _addresses(host: str, port: int, resolve: bool) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []  # the request itself will fail and say so
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check(url: str, *, hosts: Iterable[str] | None = None, resolve: bool = True) -> None:
    """Raise Blocked unless the console may connect to `url` (one of `hosts`, if given)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allow_private = settings.OUTBOUND_ALLOW_PRIVATE
    if not host or parts.scheme not in ("https", "http"):
        raise Blocked
    if parts.scheme == "http" and not allow_private:
        raise Blocked
    if hosts is not None and host not in {h.lower() for h in hosts}:
        raise Blocked
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # not a port number
        raise Blocked from None
    if any(not ip.is_global for ip in _addresses(host, port, resolve)):
        raise Blocked
