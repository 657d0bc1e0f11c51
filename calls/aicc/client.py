"""HTTP client for the Huawei Cloud AICC "mobile agent / bidirectional call" API.

Vendor references: docs/vendor/aicc-api.md (sections cited per method) and
docs/vendor/createCall-v3.txt.

Contract of this module:

* No Django, no ORM, no settings: everything comes in through :class:`AiccConfig`.
* Every vendor call returns an :class:`Outcome`; nothing raises to the caller except
  programming errors (``ValueError`` for arguments that violate the documented limits).
* The app secret, the access token and request bodies never appear in a repr, an Outcome
  or a log line; phone numbers are logged masked (:func:`mask_number`).
* Pooled connections per process (urllib3, the transport requests itself is built on),
  without automatic retries (a createCall must never be resent behind the caller's back).
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import certifi
import requests
import urllib3

log = logging.getLogger("calls.aicc")

# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

TOKEN = "tokenByAkSk"
CREATE_CALL = "createCall"
QUERY_CALL_STATE = "queryCallState"
QUERY_CDR = "queryCallDetailRecord"
QUERY_PHONE = "queryPhone"
GET_RECORDING = "getRecordingAddress"

TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"  # §1
PATHS = {
    CREATE_CALL: "/apiaccess/CC-Management/v3/mobileAgent/createCall",  # §2 (V3)
    QUERY_CDR: "/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord",  # §4
    QUERY_CALL_STATE: "/apiaccess/CC-Management/v1/mobileAgent/queryCallState",  # §5
    GET_RECORDING: "/apiaccess/CC-Management/v1/mobileAgent/getRecordingAddress",  # §6
    QUERY_PHONE: "/apiaccess/CC-Management/v1/mobileAgent/queryPhone",  # §7 (V1)
}

SUCCESS = "0"
CDR_NO_DATA = "1"  # §4.3: "no data found" is reported as retCode 1
MAX_CDR_WINDOW = timedelta(days=7)  # §4: endTime - startTime <= 7 days
MAX_PAGE = 100  # §4/§7: limit default 100; queryPhone clamps to 100
NUMBER_MAX = 32  # caller / softPhone / called / callerPresent: string(32)
CALL_DATA_MAX = 1024  # callData: string(1024)
SERIAL_MAX = 50  # callSerialNo: string(50)
TASK_TYPES = frozenset({"0", "1", "2", "3", "4"})  # §4 taskType
DETAIL_MAX = 200
AUTH_RETRY_STATUSES = frozenset({401, 403})  # §1 "Lifetime / error behaviour"

KIND_OK = "ok"
KIND_BUSINESS = "business"
KIND_HTTP = "http"
KIND_TRANSPORT = "transport"

# Epoch values below this are taken as seconds, at or above as milliseconds. As ms,
# 1e11 is 1973-03-03; as seconds it is the year 5138. The vendor documents ms for
# every time field (§4, §5); the seconds branch only tolerates a 10-digit value.
_EPOCH_SECONDS_LIMIT = 100_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_EXACT_FLOAT = 2**53


# --------------------------------------------------------------------------------------
# Configuration and result types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AiccConfig:
    base_url: str  # API base; /apiaccess/... is appended
    token_url: str  # base for tokenByAkSk, may carry a port (e.g. https://host:28070)
    app_key: str
    app_secret: str = field(repr=False)
    token_lifetime: int = 600  # X-Token-Expire, clamped to 1..3600 (§1)
    call_type: str = "AICC"  # or "ITA": ITA never gets callData / callerPresent (§2)
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    verify_tls: bool = True

    def __post_init__(self) -> None:
        for name in ("base_url", "token_url"):
            url = str(getattr(self, name) or "").strip().rstrip("/")
            if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
                raise ValueError(f"AiccConfig.{name} must be an http(s) URL with a host")
            object.__setattr__(self, name, url)
        if not self.app_key:
            raise ValueError("AiccConfig.app_key is required")
        lifetime = min(max(int(self.token_lifetime), 1), 3600)
        object.__setattr__(self, "token_lifetime", lifetime)
        call_type = str(self.call_type or "AICC").strip().upper()
        if call_type not in ("AICC", "ITA"):
            raise ValueError("AiccConfig.call_type must be 'AICC' or 'ITA'")
        object.__setattr__(self, "call_type", call_type)
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("AiccConfig timeouts must be positive")


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    expires_at: datetime  # aware, UTC
    lifetime: int  # seconds granted


@dataclass(frozen=True)
class CreateCallResult:
    serial: str


@dataclass(frozen=True)
class CallState:
    state: int | None  # 0 waiting, 1 calling, 2 talking, 3 ended (§4)
    reason_code: int | None  # §4.1 (AICC) / §4.2 (ITA, Q.850)
    caller: str
    called: str
    call_data: str = field(repr=False)
    caller_present: str
    agent_present: str
    start_time: datetime | None
    end_time: datetime | None


@dataclass(frozen=True)
class CallRecord:
    serial: str  # "" when the vendor sent no usable callSerialNo
    caller: str
    called: str
    state: int | None
    reason_code: int | None
    call_data: str = field(repr=False)
    caller_present: str
    agent_present: str
    start_time: datetime | None
    end_time: datetime | None
    alerting_time: datetime | None
    talking_time: datetime | None
    release_time: datetime | None
    talk_duration: int | None  # seconds
    agent_alerting_time: datetime | None
    agent_talking_time: datetime | None
    agent_release_time: datetime | None
    agent_talk_duration: int | None  # seconds


@dataclass(frozen=True)
class CdrPage:
    total: int
    records: list[CallRecord]


@dataclass(frozen=True)
class Phone:
    number: str
    status: int | None  # 0 registered, 1 paused (§7)
    remark: str
    id: str
    # The vendor's SIP ``password`` is deliberately never kept.


@dataclass(frozen=True)
class PhonePage:
    total: int
    phones: list[Phone]
    reg_ip: str
    reg_port: int | None


@dataclass(frozen=True)
class RecordingUrl:
    url: str = field(repr=False)  # pre-signed, valid 5 minutes (§6): keep out of logs


@dataclass
class Outcome:
    """The single result type of every vendor call."""

    interface: str
    kind: str  # "ok" | "business" | "http" | "transport"
    ret_code: str = ""
    ret_msg: str = ""
    http_status: int | None = None
    fault: str = ""  # transport only
    detail: str = ""
    elapsed_ms: float = 0.0
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.kind == KIND_OK

    def reason(self):
        """Decode into a ``calls.aicc.reasons.Reason`` (imported lazily)."""
        from calls.aicc.reasons import decode

        source = "token" if self.interface == TOKEN else self.interface
        if self.kind == KIND_OK:
            return decode(source, SUCCESS)
        if self.kind == KIND_BUSINESS:
            return decode(source, self.ret_code)
        if self.kind == KIND_HTTP:
            return decode("token" if self.interface == TOKEN else "http", self.http_status)
        return decode("transport", self.fault)


# --------------------------------------------------------------------------------------
# Masking, scrubbing
# --------------------------------------------------------------------------------------


def mask_number(s: object) -> str:
    """Mask a phone number for logs, keeping its last 4 characters and its length.

    A leading "+" is kept; numbers of 4 characters or fewer are masked entirely.
    """
    if s is None:
        return ""
    text = str(s).strip()
    if not text:
        return ""
    prefix = ""
    if text.startswith("+"):
        prefix, text = "+", text[1:]
    if len(text) <= 4:
        return prefix + "*" * len(text)
    return prefix + "*" * (len(text) - 4) + text[-4:]


_PASSWORD_RE = re.compile(r'("?password"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^,}\s]*)', re.IGNORECASE)
_TOKEN_FIELD_RE = re.compile(
    r'("?(?:AccessToken|access_token|app_secret)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^,}\s]*)',
    re.IGNORECASE,
)


def _scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Short, single-line excerpt without passwords, tokens or the given secret values."""
    text = _PASSWORD_RE.sub(r"\1***", text)
    text = _TOKEN_FIELD_RE.sub(r"\1***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text[:DETAIL_MAX]


def _excerpt(body: bytes, secrets: tuple[str, ...] = ()) -> str:
    # Scrub a slightly longer prefix so a secret straddling the cut is still caught.
    return _scrub(body[: DETAIL_MAX * 8].decode("utf-8", errors="replace"), secrets)


# --------------------------------------------------------------------------------------
# Defensive parsing helpers (vendor types vary between doc table and samples, §4)
# --------------------------------------------------------------------------------------


def _ret_code(value: object) -> str:
    """retCode as a string: "0", 0 and 0.0 all become "0"."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _str(value: object) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
            return str(int(value))
        return str(value)
    return str(value)


def _int(value: object) -> int | None:
    """Number or numeric string -> int; None, "", booleans and garbage -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if math.isfinite(number) else None
    return None


def _time(value: object) -> datetime | None:
    """Epoch time (ms per the docs; a value < 1e11 is taken as seconds) -> aware UTC.

    None, "", 0, negatives and unparsable values give None (the vendor leaves times of
    legs that never happened empty or zero).
    """
    if value is None or isinstance(value, bool):
        return None
    number: int | float
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
    else:
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    try:
        if number < _EPOCH_SECONDS_LIMIT:
            return _EPOCH + timedelta(seconds=number)
        return _EPOCH + timedelta(milliseconds=number)
    except (OverflowError, ValueError):
        return None


# The vendor's number and time rules, for the pushed events (calls/outcomes.py) too.
parse_int = _int
parse_time = _time


def _serial(value: object) -> str | None:
    """callSerialNo as an exact string, or None when unusable.

    JSON integers are exact in Python (19-digit values survive); strings are kept as
    sent (stripped; the vendor types it String <= 50, not necessarily digits); floats are
    accepted only if they are still exact; anything else is rejected.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not (value.is_integer() and abs(value) < _MAX_EXACT_FLOAT):
            return None
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text or len(text) > SERIAL_MAX:
        return None
    return text


def _epoch_ms(dt: datetime) -> str:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("datetimes passed to the AICC client must be timezone-aware")
    return str((dt - _EPOCH) // timedelta(milliseconds=1))


def _parse_call_state(result: dict) -> CallState:
    return CallState(
        state=_int(result.get("state")),
        reason_code=_int(result.get("reasonCode")),
        caller=_str(result.get("caller")),
        called=_str(result.get("called")),
        call_data=_str(result.get("callData")),
        caller_present=_str(result.get("callerPresent")),
        agent_present=_str(result.get("agentPresent")),
        start_time=_time(result.get("startTime")),
        end_time=_time(result.get("endTime")),
    )


def _parse_call_record(item: dict) -> CallRecord:
    return CallRecord(
        serial=_serial(item.get("callSerialNo")) or "",
        caller=_str(item.get("caller")),
        called=_str(item.get("called")),
        state=_int(item.get("state")),
        reason_code=_int(item.get("reasonCode")),
        call_data=_str(item.get("callData")),
        caller_present=_str(item.get("callerPresent")),
        agent_present=_str(item.get("agentPresent")),
        start_time=_time(item.get("startTime")),
        end_time=_time(item.get("endTime")),
        alerting_time=_time(item.get("alertingTime")),
        talking_time=_time(item.get("talkingTime")),
        release_time=_time(item.get("releaseTime")),
        talk_duration=_int(item.get("talkDuration")),
        agent_alerting_time=_time(item.get("agentAlertingTime")),
        agent_talking_time=_time(item.get("agentTalkingTime")),
        agent_release_time=_time(item.get("agentReleaseTime")),
        agent_talk_duration=_int(item.get("agentTalkDuration")),
    )


def _parse_phone(item: dict) -> Phone:
    return Phone(
        number=_str(item.get("phoneNum")),
        status=_int(item.get("status")),
        remark=_str(item.get("remark")),
        id=_str(item.get("id")),
    )


class _BadShape(Exception):
    """A 200 answer whose result does not have the documented shape (-> "bad_json")."""


def _result_dict(payload: dict, *, required: bool) -> dict:
    result = payload.get("result")
    if result is None and not required:
        return {}
    if not isinstance(result, dict):
        raise _BadShape("result is not an object")
    return result


def _parse_create_call(payload: dict) -> CreateCallResult:
    serial = _serial(_result_dict(payload, required=True).get("callSerialNo"))
    if serial is None:
        raise _BadShape("result.callSerialNo missing or unusable")
    return CreateCallResult(serial=serial)


def _parse_state_payload(payload: dict) -> CallState:
    return _parse_call_state(_result_dict(payload, required=True))


def _parse_cdr_payload(payload: dict) -> CdrPage:
    result = _result_dict(payload, required=False)
    items = result.get("callInfo")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise _BadShape("result.callInfo is not a list")
    records = [_parse_call_record(item) for item in items if isinstance(item, dict)]
    total = _int(result.get("total"))
    # A missing total is taken as "this page is everything" (paging then stops).
    return CdrPage(total=total if total is not None else len(records), records=records)


def _parse_phone_payload(payload: dict) -> PhonePage:
    result = _result_dict(payload, required=False)
    items = result.get("phone")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise _BadShape("result.phone is not a list")
    phones = [_parse_phone(item) for item in items if isinstance(item, dict)]
    total = _int(result.get("total"))
    return PhonePage(
        total=total if total is not None else len(phones),
        phones=phones,
        reg_ip=_str(result.get("regIPAddress")),
        reg_port=_int(result.get("regPort")),
    )


def _parse_recording_payload(payload: dict) -> RecordingUrl:
    url = _str(_result_dict(payload, required=True).get("url")).strip()
    if not url:
        raise _BadShape("result.url missing")
    return RecordingUrl(url=url)


_PARSERS = {
    CREATE_CALL: _parse_create_call,
    QUERY_CALL_STATE: _parse_state_payload,
    QUERY_CDR: _parse_cdr_payload,
    QUERY_PHONE: _parse_phone_payload,
    GET_RECORDING: _parse_recording_payload,
}


# --------------------------------------------------------------------------------------
# Transport: pooled connections per process, exception mapping
# --------------------------------------------------------------------------------------

# Why urllib3 and not a requests.Session: requests adds, per request, a prepared request,
# cookie extraction, hooks and a Response object around urllib3's own. Under load
# (bench/load.py) that was ~0.1-0.3 ms of CPU per placed call, 2-8% of the throughput. What
# requests did for the console is kept here: the environment's proxies and CA bundle
# (read with requests' own helpers), certifi's CA bundle by default, no cookies, no retries.

_HEADERS = {"User-Agent": "aicc-console", "Accept": "application/json"}
_managers_lock = threading.Lock()
_managers: dict[tuple[str | None, bool | str], urllib3.PoolManager] = {}
_managers_pid: int | None = None


def _new_manager(proxy: str | None, verify: bool | str) -> urllib3.PoolManager:
    tls: dict[str, Any] = {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()}
    if verify is False:
        tls = {"cert_reqs": "CERT_NONE"}
    elif isinstance(verify, str):  # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE: a file or a folder
        where = "ca_cert_dir" if os.path.isdir(verify) else "ca_certs"
        tls = {"cert_reqs": "CERT_REQUIRED", where: verify}
    # No retries of any kind (retries=False raises the first error as it is): a createCall
    # must never be resent automatically. Up to 50 kept connections per AICC host.
    pool = {"num_pools": 10, "maxsize": 50, "retries": False, **tls}
    if proxy is None:
        return urllib3.PoolManager(**pool)
    user, password = requests.utils.get_auth_from_url(proxy)
    headers = urllib3.make_headers(proxy_basic_auth=f"{user}:{password}") if user else None
    return urllib3.ProxyManager(proxy, proxy_headers=headers, **pool)


def pool_manager(proxy: str | None = None, verify: bool | str = True) -> urllib3.PoolManager:
    """The process's pooled connections for this proxy and TLS setting (made on first use,
    anew after a fork: a child must not share its parent's sockets)."""
    global _managers_pid
    key = (proxy, verify)
    if _managers_pid == os.getpid():
        found = _managers.get(key)
        if found is not None:
            return found
    with _managers_lock:
        if _managers_pid != os.getpid():
            _managers.clear()
            _managers_pid = os.getpid()
        if key not in _managers:
            _managers[key] = _new_manager(proxy, verify)
        return _managers[key]


_environment_cache: dict[tuple[str, str], tuple[str | None, str | bool]] = {}


def _environment(url: str, verify: bool) -> tuple[str | None, str | bool]:
    """The proxy (or None) and TLS verification for `url`, as requests takes them from the
    environment (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), read once per
    process and AICC origin: looking them up cost more CPU than the rest of the request."""
    parts = urllib3.util.parse_url(url)
    origin = f"{parts.scheme}://{parts.host}:{parts.port}"
    key = (origin, str(verify))
    found = _environment_cache.get(key)
    if found is None:
        proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        found = (proxy or None, bundle if verify is True and bundle else verify)
        if len(_environment_cache) < 1000:
            _environment_cache[key] = found
    return found


_TIMEOUT_TYPES: tuple[type[BaseException], ...] = (
    TimeoutError,
    socket.timeout,
    urllib3.exceptions.TimeoutError,
)


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
    """Map a urllib3/socket exception (the AICC client's), or a requests one (the recordings
    proxy's), and whatever it wraps, to a transport fault name."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.Timeout):  # ConnectTimeout, ReadTimeout
        return "timeout"
    chain = _causes(exc)
    if any(isinstance(e, ssl.SSLError | urllib3.exceptions.SSLError) for e in chain):
        return "tls"
    if any(isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    if any(isinstance(e, _TIMEOUT_TYPES) for e in chain):
        return "timeout"
    # RemoteDisconnected, ConnectionResetError, ProtocolError and any other connection-level
    # failure.
    return "reset"


_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


# --------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------


class TokenSource(Protocol):
    def get(self, client: AiccClient) -> Outcome:
        """Outcome with result Token, from cache or by calling client.fetch_token()."""
        ...

    def invalidate(self, client: AiccClient, token: str) -> None:
        """Drop this token if it is still the cached one."""
        ...


def renew_margin(lifetime: int) -> float:
    """Seconds before expiry at which a cached token is renewed: 60 s, or 10% if short."""
    return min(60.0, lifetime * 0.1)


class MemoryTokenSource:
    """Per-process token memo keyed by (token_url, app_key).

    One lock per key, held while fetching, so concurrent callers cause one fetch. Callers
    that queued behind a fetch that failed receive that same failure instead of fetching
    again one after another.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._tokens: dict[tuple[str, str], Token] = {}
        self._failures: dict[tuple[str, str], tuple[float, Outcome]] = {}

    @staticmethod
    def _key(client: AiccClient) -> tuple[str, str]:
        return (client.config.token_url, client.config.app_key)

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def get(self, client: AiccClient) -> Outcome:
        key = self._key(client)
        waited_since = time.monotonic()
        with self._lock_for(key):
            token = self._tokens.get(key)
            if token is not None:
                remaining = (token.expires_at - datetime.now(UTC)).total_seconds()
                if remaining > renew_margin(token.lifetime):
                    return Outcome(interface=TOKEN, kind=KIND_OK, ret_code=SUCCESS, result=token)
                del self._tokens[key]
            failure = self._failures.get(key)
            if failure is not None and failure[0] >= waited_since:
                return failure[1]
            outcome = client.fetch_token()
            if outcome.ok:
                self._tokens[key] = outcome.result
                self._failures.pop(key, None)
            else:
                self._failures[key] = (time.monotonic(), outcome)
            return outcome

    def invalidate(self, client: AiccClient, token: str) -> None:
        key = self._key(client)
        with self._lock_for(key):
            cached = self._tokens.get(key)
            if cached is not None and cached.access_token == token:
                del self._tokens[key]

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()
            self._failures.clear()


default_token_source = MemoryTokenSource()


# --------------------------------------------------------------------------------------
# Client
# --------------------------------------------------------------------------------------


def _number(name: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"{name} is required")
    if len(text) > NUMBER_MAX:
        raise ValueError(f"{name} is longer than {NUMBER_MAX} characters")
    return text


def _check_page(offset: int, limit: int) -> None:
    if offset < 0:
        raise ValueError("offset must be >= 0")
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")


def cdr_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Split [start, end) into consecutive windows of at most 7 days."""
    _epoch_ms(start)
    _epoch_ms(end)
    windows = []
    cursor = start
    while cursor < end:
        stop = min(cursor + MAX_CDR_WINDOW, end)
        windows.append((cursor, stop))
        cursor = stop
    return windows


class AiccClient:
    def __init__(
        self,
        config: AiccConfig,
        tokens: TokenSource | None = None,
        http: urllib3.PoolManager | None = None,
    ) -> None:
        """`http`: where requests go (urllib3's PoolManager.urlopen); by default the process's
        pooled connections for the configured proxy and TLS setting. Tests pass their own."""
        self.config = config
        self.tokens: TokenSource = tokens if tokens is not None else default_token_source
        self._http = http
        self._timeout = urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout)

    def __repr__(self) -> str:
        return f"AiccClient({self.config!r})"

    # ---- transport -------------------------------------------------------------------

    def _post(
        self, url: str, body: dict[str, str], headers: dict[str, str]
    ) -> tuple[urllib3.BaseHTTPResponse | None, BaseException | None, float]:
        data = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        started = time.perf_counter()
        try:
            http = self._http
            if http is None:
                http = pool_manager(*_environment(url, self.config.verify_tls))
            response = http.urlopen(
                "POST",
                url,
                body=data,
                headers={**_HEADERS, **headers},
                timeout=self._timeout,
                retries=False,
                redirect=False,  # a 3xx is reported as kind "http", never followed
            )
        except _TRANSPORT_ERRORS as exc:
            return None, exc, (time.perf_counter() - started) * 1000.0
        return response, None, (time.perf_counter() - started) * 1000.0

    def _secrets(self, *extra: str) -> tuple[str, ...]:
        return (self.config.app_secret, *extra)

    @staticmethod
    def _transport(interface: str, fault: str, detail: str, elapsed: float) -> Outcome:
        return Outcome(
            interface=interface,
            kind=KIND_TRANSPORT,
            fault=fault,
            detail=detail[:DETAIL_MAX],
            elapsed_ms=elapsed,
        )

    def _read_json(
        self,
        interface: str,
        response: urllib3.BaseHTTPResponse | None,
        exc: BaseException | None,
        elapsed: float,
        secrets: tuple[str, ...],
    ) -> Outcome | dict:
        """Either a final non-ok Outcome, or the decoded JSON object of a 2xx answer."""
        if exc is not None or response is None:
            chain = _causes(exc) if exc is not None else []
            names = "/".join(dict.fromkeys(type(e).__name__ for e in chain[:3]))
            return self._transport(interface, classify_exception(exc), names, elapsed)
        body = response.data or b""
        if not 200 <= response.status < 300:
            return Outcome(
                interface=interface,
                kind=KIND_HTTP,
                http_status=response.status,
                detail=_excerpt(body, secrets),
                elapsed_ms=elapsed,
            )
        try:
            payload = json.loads(body)
        except ValueError:  # includes UnicodeDecodeError
            return self._transport(interface, "bad_json", _excerpt(body, secrets), elapsed)
        if not isinstance(payload, dict):
            return self._transport(interface, "bad_json", _excerpt(body, secrets), elapsed)
        return payload

    def _log(
        self, outcome: Outcome, numbers: dict[str, str], serial: str = "", ref: str = ""
    ) -> None:
        masked = " ".join(f"{k}={mask_number(v)}" for k, v in numbers.items() if v)
        log.info(
            "aicc %s%s kind=%s code=%s status=%s fault=%s elapsed_ms=%.1f%s%s",
            outcome.interface,
            f" call={ref}" if ref else "",
            outcome.kind,
            outcome.ret_code or "-",
            outcome.http_status if outcome.http_status is not None else "-",
            outcome.fault or "-",
            outcome.elapsed_ms,
            f" serial={serial}" if serial else "",
            f" {masked}" if masked else "",
        )

    # ---- §1 tokenByAkSk ----------------------------------------------------------------

    def fetch_token(self) -> Outcome:
        """§1 tokenByAkSk: always a fresh token (no caching here; see TokenSource)."""
        cfg = self.config
        lifetime = cfg.token_lifetime
        headers = {"Content-Type": "application/json", "X-Token-Expire": str(lifetime)}
        body = {"app_key": cfg.app_key, "app_secret": cfg.app_secret}
        issued_at = datetime.now(UTC)  # before sending: errs towards an earlier expiry
        response, exc, elapsed = self._post(cfg.token_url + TOKEN_PATH, body, headers)
        outcome = self._token_outcome(response, exc, elapsed, issued_at, lifetime)
        self._log(outcome, {"app_key": cfg.app_key})
        return outcome

    def _token_outcome(self, response, exc, elapsed, issued_at, lifetime) -> Outcome:
        secrets = self._secrets()
        read = self._read_json(TOKEN, response, exc, elapsed, secrets)
        if isinstance(read, Outcome):
            return read
        payload = read
        access_token = payload.get("AccessToken")
        if isinstance(access_token, str) and access_token.strip():
            granted = _int(payload.get("Expires"))
            if granted is None or granted <= 0:
                granted = lifetime
            token = Token(
                access_token=access_token.strip(),
                expires_at=issued_at + timedelta(seconds=granted),
                lifetime=granted,
            )
            return Outcome(
                interface=TOKEN, kind=KIND_OK, ret_code=SUCCESS, elapsed_ms=elapsed, result=token
            )
        # No token: report whatever error code the gateway put in the body (undocumented).
        for code_key, msg_key in (
            ("retCode", "retMsg"),
            ("error_code", "error_msg"),
            ("errorCode", "errorMsg"),
            ("resultCode", "resultDesc"),
        ):
            if payload.get(code_key) not in (None, ""):
                return Outcome(
                    interface=TOKEN,
                    kind=KIND_BUSINESS,
                    ret_code=_ret_code(payload[code_key]),
                    ret_msg=_scrub(_str(payload.get(msg_key)), secrets),
                    http_status=response.status,
                    elapsed_ms=elapsed,
                )
        return self._transport(
            TOKEN, "no_retcode", _excerpt(response.data or b"", secrets), elapsed
        )

    # ---- generic /apiaccess call with token handling ------------------------------------

    def _headers(self, token: Token) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-APP-Key": self.config.app_key,
            "Authorization": "Bearer " + token.access_token,
        }

    def _call(
        self,
        interface: str,
        body: dict[str, str],
        *,
        numbers: dict[str, str] | None = None,
        serial: str = "",
        scrub: tuple[str, ...] = (),
        ref: str = "",
    ) -> Outcome:
        """Get a token, POST, retry once on 401/403 with a fresh token, parse. Each request
        is logged (one line; `ref` names the console's record it is for).

        elapsed_ms is the round trip of the last API request only (token fetches and a
        first, rejected attempt are not included).
        """
        url = self.config.base_url + PATHS[interface]
        tok = self.tokens.get(self)
        if not tok.ok:
            return tok
        response, exc, elapsed = self._post(url, body, self._headers(tok.result))
        if response is not None and response.status in AUTH_RETRY_STATUSES:
            self._log(
                Outcome(interface, KIND_HTTP, http_status=response.status, elapsed_ms=elapsed),
                numbers or {},
                serial,
                ref,
            )
            self.tokens.invalidate(self, tok.result.access_token)
            tok = self.tokens.get(self)
            if not tok.ok:
                return tok
            response, exc, elapsed = self._post(url, body, self._headers(tok.result))
        outcome = self._api_outcome(
            interface, response, exc, elapsed, self._secrets(tok.result.access_token, *scrub)
        )
        self._log(outcome, numbers or {}, serial or self._serial_of(outcome), ref)
        return outcome

    @staticmethod
    def _serial_of(outcome: Outcome) -> str:
        return outcome.result.serial if isinstance(outcome.result, CreateCallResult) else ""

    def _api_outcome(self, interface, response, exc, elapsed, secrets) -> Outcome:
        read = self._read_json(interface, response, exc, elapsed, secrets)
        if isinstance(read, Outcome):
            return read
        payload = read
        status = response.status
        if "retCode" not in payload or payload["retCode"] is None:
            return self._transport(
                interface, "no_retcode", _excerpt(response.data or b"", secrets), elapsed
            )
        code = _ret_code(payload["retCode"])
        message = _scrub(_str(payload.get("retMsg")), secrets)
        if interface == QUERY_CDR and code == CDR_NO_DATA:
            return Outcome(
                interface=interface,
                kind=KIND_OK,
                ret_code=code,
                ret_msg=message,
                http_status=status,
                elapsed_ms=elapsed,
                result=CdrPage(total=0, records=[]),
            )
        if code != SUCCESS:
            return Outcome(
                interface=interface,
                kind=KIND_BUSINESS,
                ret_code=code,
                ret_msg=message,
                http_status=status,
                elapsed_ms=elapsed,
            )
        try:
            result = _PARSERS[interface](payload)
        except _BadShape as bad:
            return self._transport(interface, "bad_json", str(bad), elapsed)
        return Outcome(
            interface=interface,
            kind=KIND_OK,
            ret_code=code,
            ret_msg=message,
            http_status=status,
            elapsed_ms=elapsed,
            result=result,
        )

    # ---- §2 createCall V3 -------------------------------------------------------------

    def create_call(
        self,
        *,
        soft_phone: str,
        called: str,
        caller: str = "",
        call_data: str = "",
        caller_present: str = "",
        ref: str = "",
    ) -> Outcome:
        """§2 / createCall-v3.txt: place a bidirectional call; result CreateCallResult.
        `ref` (the console's call code) goes into the log line of the request.

        Raises ValueError for a missing softPhone/called or a field over its length limit
        (the form layer must validate these). For call_type "ITA" callData and
        callerPresent are never sent.
        """
        body = {
            "softPhone": _number("soft_phone", soft_phone, required=True),
            "called": _number("called", called, required=True),
        }
        caller = _number("caller", caller, required=False)
        caller_present = _number("caller_present", caller_present, required=False)
        call_data = call_data or ""
        if len(call_data) > CALL_DATA_MAX:
            raise ValueError(f"call_data is longer than {CALL_DATA_MAX} characters")
        if caller:
            body["caller"] = caller
        if self.config.call_type == "ITA":
            if call_data or caller_present:
                log.info("aicc createCall: callData/callerPresent dropped for an ITA call")
        else:
            if call_data:
                body["callData"] = call_data
            if caller_present:
                body["callerPresent"] = caller_present
        numbers = {
            "softPhone": body["softPhone"],
            "called": body["called"],
            "caller": caller,
            "callerPresent": body.get("callerPresent", ""),
        }
        return self._call(CREATE_CALL, body, numbers=numbers, scrub=(call_data,), ref=ref)

    # ---- §5 queryCallState ------------------------------------------------------------

    def query_call_state(self, serial: str) -> Outcome:
        """§5 queryCallState: live state of one call; result CallState."""
        serial = _checked_serial(serial)
        return self._call(QUERY_CALL_STATE, {"callSerialNo": serial}, serial=serial)

    # ---- §4 queryCallDetailRecord -----------------------------------------------------

    def query_cdr(
        self,
        *,
        start: datetime,
        end: datetime,
        offset: int = 0,
        limit: int = 100,
        caller: str = "",
        task_type: str | None = None,
    ) -> Outcome:
        """§4 queryCallDetailRecord: one page; result CdrPage (retCode "1" -> empty page).

        The body is flat, as in the vendor sample. A window longer than 7 days, an
        inverted window, naive datetimes or a bad offset/limit/taskType raise ValueError.
        """
        start_ms, end_ms = _epoch_ms(start), _epoch_ms(end)
        if end < start:
            raise ValueError("end is before start")
        if end - start > MAX_CDR_WINDOW:
            raise ValueError("queryCallDetailRecord windows are limited to 7 days")
        _check_page(offset, limit)
        body = {
            "startTime": start_ms,
            "endTime": end_ms,
            "offset": str(offset),
            "limit": str(limit),
        }
        caller = _number("caller", caller, required=False)
        if caller:
            body["caller"] = caller
        if task_type is not None and str(task_type) != "":
            task_type = str(task_type)
            if task_type not in TASK_TYPES:
                raise ValueError("task_type must be one of 0..4")
            body["taskType"] = task_type
        return self._call(QUERY_CDR, body, numbers={"caller": caller})

    def iter_cdr(
        self,
        *,
        start: datetime,
        end: datetime,
        task_types: tuple[str, ...] | list[str] = ("0",),
        caller: str = "",
        limit: int = 100,
    ) -> Iterator[Outcome]:
        """All CDR pages for [start, end), per task type, in <= 7-day windows.

        Yields every page's Outcome. A failed page ends its window (the failure is
        yielded) and iteration moves on to the next window; callers may stop early.
        Adjacent windows share their boundary millisecond, so a record exactly on it may
        come twice: deduplicate on serial.
        """
        _check_page(0, limit)
        windows = cdr_windows(start, end)
        for task_type in task_types:
            for window_start, window_end in windows:
                offset = 0
                while True:
                    outcome = self.query_cdr(
                        start=window_start,
                        end=window_end,
                        offset=offset,
                        limit=limit,
                        caller=caller,
                        task_type=task_type,
                    )
                    yield outcome
                    if not outcome.ok:
                        break
                    page: CdrPage = outcome.result
                    if not page.records:
                        break
                    offset += len(page.records)
                    if offset >= page.total:
                        break

    # ---- §7 queryPhone V1 -------------------------------------------------------------

    def query_phones(self, *, offset: int = 0, limit: int = 100) -> Outcome:
        """§7 queryPhone (V1): allocated softphones; result PhonePage (no SIP passwords)."""
        _check_page(offset, limit)
        return self._call(QUERY_PHONE, {"offset": str(offset), "limit": str(limit)})

    # ---- §6 getRecordingAddress -------------------------------------------------------

    def get_recording_url(self, serial: str) -> Outcome:
        """§6 getRecordingAddress: result RecordingUrl (valid 5 minutes; never store it)."""
        serial = _checked_serial(serial)
        return self._call(GET_RECORDING, {"callSerialNo": serial}, serial=serial)


def _checked_serial(serial: object) -> str:
    text = _serial(serial)
    if text is None:
        raise ValueError(f"callSerialNo must be a non-empty string of at most {SERIAL_MAX}")
    return text
