"""A call's recording: its address, asked of AICC at the moment someone wants to listen
(getRecordingAddress; the address lives 5 minutes and is never stored, logged or shown), and the
recording itself, streamed through the console (to the page's <audio> element, with byte ranges
for seeking, or as a download)."""

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

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
    """The recording's bytes to pass on (`chunks`, with the response's `status`, `content_type`
    and `headers`: Content-Length, Accept-Ranges, Content-Range), or why not: a decoded transport
    `reason`, or the recording store's own HTTP status (`upstream_status`)."""

    chunks: Iterator[bytes] | None = None
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict = field(default_factory=dict)
    reason: Reason | None = None
    upstream_status: int | None = None

    @property
    def extension(self) -> str:
        """The file name's extension for a download ("" when the type names none)."""
        if self.content_type in ("audio/wav", "audio/wave", "audio/x-wav"):
            return ".wav"
        ext = mimetypes.guess_extension(self.content_type) or ""
        return "" if ext == ".bin" else ext


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def _wanted(range_header: str) -> tuple[int | None, int | None] | None:
    """One byte range asked for ("bytes=0-", "bytes=100-199", "bytes=-500"), or None for none
    or a form not passed on (several ranges)."""
    m = _RANGE.fullmatch(range_header.strip())
    if not m or m.groups() == ("", ""):
        return None
    start, end = (int(g) if g else None for g in m.groups())
    if start is not None and end is not None and end < start:
        return None
    return start, end


def _content_type(upstream, url: str) -> str:
    """The store's type when it says audio, else the one the address's extension names."""
    ctype = upstream.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype.startswith("audio/"):
        return ctype
    guessed = mimetypes.guess_type(urlsplit(url).path)[0] or ""
    return guessed if guessed.startswith("audio/") else "application/octet-stream"


def recording_download(url: str, range_header: str = "") -> Download:
    """Fetch the recording at `url` (no redirect followed), to be streamed on, with the byte
    range asked for in `range_header` (an <audio> element seeks with ranges): passed to the store,
    and cut out here when the store answers with the whole file."""
    wanted = _wanted(range_header)
    headers = {"Range": range_header.strip()} if wanted else {}
    try:
        upstream = requests.get(
            url, stream=True, timeout=TIMEOUT, allow_redirects=False, headers=headers
        )
    except requests.RequestException as exc:
        return Download(reason=decode("transport", classify_exception(exc)))
    limit = settings.RECORDING_MAX_BYTES
    ctype = _content_type(upstream, url)
    if upstream.status_code == 206 and wanted:
        m = _CONTENT_RANGE.fullmatch(upstream.headers.get("Content-Range", ""))
        if m:
            first, last = int(m.group(1)), int(m.group(2))
            return Download(
                chunks=_bounded(upstream, min(limit, last - first + 1)),
                content_type=ctype,
                status=206,
                headers={
                    "Content-Range": m.group(0),
                    "Content-Length": str(last - first + 1),
                    "Accept-Ranges": "bytes",
                },
            )
    if upstream.status_code == 416 and wanted:
        upstream.close()
        return Download(
            chunks=iter(()), status=416, content_type=ctype, headers=_unsatisfiable(upstream)
        )
    if upstream.status_code != 200:
        upstream.close()
        return Download(upstream_status=upstream.status_code)
    declared = upstream.headers.get("Content-Length", "")
    size = int(declared) if declared.isdigit() and int(declared) <= limit else None
    if size is None:  # unknown (or over the limit): the whole body, cut off at the limit
        return Download(chunks=_bounded(upstream, limit), content_type=ctype)
    whole = {"Content-Length": str(size), "Accept-Ranges": "bytes"}
    if wanted is None:
        return Download(chunks=_bounded(upstream, size), content_type=ctype, headers=whole)
    start, end = wanted
    if start is None:  # the last `end` bytes
        start, end = max(size - end, 0), size - 1
    end = size - 1 if end is None else min(end, size - 1)
    if start >= size:
        upstream.close()
        return Download(
            chunks=iter(()),
            status=416,
            content_type=ctype,
            headers={"Content-Range": f"bytes */{size}"},
        )
    return Download(
        chunks=_slice(upstream, start, end + 1),
        content_type=ctype,
        status=206,
        headers={
            "Content-Range": f"bytes {start}-{end}/{size}",
            "Content-Length": str(end - start + 1),
            "Accept-Ranges": "bytes",
        },
    )


def _unsatisfiable(upstream) -> dict:
    m = re.fullmatch(r"bytes \*/\d+", upstream.headers.get("Content-Range", ""))
    return {"Content-Range": m.group(0)} if m else {}


def _bounded(upstream, limit: int) -> Iterator[bytes]:
    """The body, cut off after `limit` bytes (a recording is never that large)."""
    yield from _slice(upstream, 0, limit)


def _slice(upstream, start: int, stop: int) -> Iterator[bytes]:
    """Bytes start..stop-1 of the body (those before are read and dropped)."""
    at = 0
    try:
        for chunk in upstream.iter_content(CHUNK):
            lo, hi = max(start - at, 0), min(stop - at, len(chunk))
            at += len(chunk)
            if hi > lo:
                yield chunk[lo:hi]
            if at >= stop:
                return
    finally:
        upstream.close()
