"""A call's recording: its address, asked of AICC at the moment someone wants to listen
(getRecordingAddress; the address lives 5 minutes and is never stored or logged), and the
recording itself for a download."""

from collections.abc import Iterator
from dataclasses import dataclass

import requests
from django.conf import settings

from calls.aicc.reasons import Reason, decode
from calls.aicc.results import KIND_BUSINESS
from calls.aicc.transport import classify_exception
from calls.models import Call
from calls.services.aicc import NotConfigured, client_for
from calls.services.outbound import Blocked, check, host_of

CHUNK = 64 * 1024
TIMEOUT = (3.05, 30)  # connect, read (seconds)


@dataclass
class Recording:
    """Where the recording is (`url`), or why there is none (`reason`, and the HTTP status the
    page answers with: 404 when AICC has no recording of the call, 502 for any other failure)."""

    url: str = ""
    reason: Reason | None = None
    status: int = 200


def recording_address(call: Call) -> Recording:
    """The address AICC gives now, if the console may send someone there or fetch it: the
    tenant's own AICC hosts or RECORDING_HOSTS, public addresses (calls/services/outbound.py)."""
    tenant = call.tenant
    try:
        outcome = client_for(tenant).get_recording_url(call.serial)
    except NotConfigured as e:
        return Recording(reason=e.reason(), status=502)
    if not outcome.ok:
        missing = outcome.kind == KIND_BUSINESS and outcome.ret_code == "5"
        return Recording(reason=outcome.reason(), status=404 if missing else 502)
    url = outcome.result.url
    hosts = [host_of(tenant.aicc_base_url), host_of(tenant.aicc_token_url or tenant.aicc_base_url)]
    try:
        check(url, hosts=[*hosts, *settings.RECORDING_HOSTS])
    except Blocked as e:
        return Recording(reason=e.reason(), status=502)
    return Recording(url=url)


@dataclass
class Download:
    """The recording's bytes (`chunks`, `content_type`), or why not: a decoded transport
    `reason`, or the recording store's own HTTP status (`upstream_status`)."""

    chunks: Iterator[bytes] | None = None
    content_type: str = "audio/wav"
    reason: Reason | None = None
    upstream_status: int | None = None


def recording_download(url: str) -> Download:
    """Fetch the recording at `url` (no redirect followed), to be streamed on."""
    try:
        upstream = requests.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return Download(reason=decode("transport", classify_exception(exc)))
    if upstream.status_code != 200:
        upstream.close()
        return Download(upstream_status=upstream.status_code)
    return Download(
        chunks=_bounded(upstream, settings.RECORDING_MAX_BYTES),
        content_type=upstream.headers.get("Content-Type", "audio/wav"),
    )


def _bounded(upstream, limit: int) -> Iterator[bytes]:
    """The body, cut off after `limit` bytes (a recording is never that large)."""
    sent = 0
    try:
        for chunk in upstream.iter_content(CHUNK):
            sent += len(chunk)
            if sent > limit:
                return
            yield chunk
    finally:
        upstream.close()
