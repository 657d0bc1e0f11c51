"""HTTP client for the Huawei Cloud AICC "mobile agent / bidirectional call" API.

Vendor references: docs/vendor/aicc-api.md (sections cited per method) and
docs/vendor/createCall-v3.txt.

* No Django, no ORM, no settings: everything comes in through :class:`AiccConfig`.
* Every vendor call returns an :class:`Outcome`; nothing raises to the caller except
  programming errors (``ValueError`` for arguments that violate the documented limits).
* The app secret, the access token and request bodies never appear in a repr, an Outcome
  or a log line; phone numbers are logged masked.
* Requests go through one requests Session per process, never retried and never redirected
  (calls/aicc/transport.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

import requests

from calls.aicc import transport
from calls.aicc.masking import excerpt, mask_number, scrub
from calls.aicc.parsing import (
    SERIAL_MAX,
    BadShape,
    epoch_ms,
    parse_int,
    parse_result,
    parse_ret_code,
    parse_serial,
    parse_str,
)
from calls.aicc.results import (
    CREATE_CALL,
    DETAIL_MAX,
    GET_RECORDING,
    KIND_BUSINESS,
    KIND_HTTP,
    KIND_OK,
    KIND_TRANSPORT,
    QUERY_CALL_STATE,
    QUERY_CDR,
    QUERY_PHONE,
    SUCCESS,
    TOKEN,
    AiccConfig,
    CdrPage,
    CreateCallResult,
    Outcome,
    Token,
)

log = logging.getLogger("calls.aicc")

TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"  # §1
PATHS = {
    CREATE_CALL: "/apiaccess/CC-Management/v3/mobileAgent/createCall",  # §2 (V3)
    QUERY_CDR: "/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord",  # §4
    QUERY_CALL_STATE: "/apiaccess/CC-Management/v1/mobileAgent/queryCallState",  # §5
    GET_RECORDING: "/apiaccess/CC-Management/v1/mobileAgent/getRecordingAddress",  # §6
    QUERY_PHONE: "/apiaccess/CC-Management/v1/mobileAgent/queryPhone",  # §7 (V1)
}

CDR_NO_DATA = "1"  # §4.3: "no data found" is reported as retCode 1
MAX_CDR_WINDOW = timedelta(days=7)  # §4: endTime - startTime <= 7 days
MAX_PAGE = 100  # §4/§7: limit default 100; queryPhone clamps to 100
NUMBER_MAX = 32  # caller / softPhone / called / callerPresent: string(32)
CALL_DATA_MAX = 1024  # callData: string(1024)
TASK_TYPES = frozenset({"0", "1", "2", "3", "4"})  # §4 taskType
AUTH_RETRY_STATUSES = frozenset({401, 403})
MAX_TOKEN_LIFETIME = 3600  # §1: X-Token-Expire "Maximum 3600"  # §1 "Lifetime / error behaviour"


class TokenSource(Protocol):
    def get(self, client: AiccClient) -> Outcome:
        """Outcome with result Token, from cache or by calling client.fetch_token()."""
        ...

    def invalidate(self, client: AiccClient, token: str) -> None:
        """Drop this token if it is still the cached one."""
        ...


class InvalidRequest(ValueError):
    """An argument breaks a documented limit: raised before anything is sent."""


def renew_margin(lifetime: int) -> timedelta:
    """How long before expiry a cached token is renewed: 60 s, or a tenth of a short lifetime."""
    return timedelta(seconds=min(60.0, lifetime / 10))


def _number(name: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidRequest(f"{name} is required")
    if len(text) > NUMBER_MAX:
        raise InvalidRequest(f"{name} is longer than {NUMBER_MAX} characters")
    return text


def _check_page(offset: int, limit: int) -> None:
    if offset < 0:
        raise ValueError("offset must be >= 0")
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")


def cdr_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Split [start, end) into consecutive windows of at most 7 days."""
    epoch_ms(start)
    epoch_ms(end)
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
        tokens: TokenSource,
        session: requests.Session | None = None,
    ) -> None:
        """`session`: where requests go (a requests.Session, or anything with its `post`); by
        default the process's shared Session. Tests pass their own."""
        self.config = config
        self.tokens = tokens
        self._session = session
        self._timeout = (config.connect_timeout, config.read_timeout)

    def __repr__(self) -> str:
        return f"AiccClient({self.config!r})"

    # ---- transport -------------------------------------------------------------------

    def _post(
        self, url: str, body: dict[str, str], headers: dict[str, str]
    ) -> tuple[requests.Response | None, BaseException | None, float]:
        data = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        session = self._session if self._session is not None else transport.shared_session()
        return transport.post(
            session, url, data, headers, timeout=self._timeout, verify=self.config.verify_tls
        )

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
        response: requests.Response | None,
        exc: BaseException | None,
        elapsed: float,
        secrets: tuple[str, ...],
    ) -> Outcome | dict:
        """Either a final non-ok Outcome, or the decoded JSON object of a 2xx answer."""
        if exc is not None:
            fault = transport.classify_exception(exc)
            return self._transport(interface, fault, transport.exception_names(exc), elapsed)
        body = response.content
        if not 200 <= response.status_code < 300:
            return Outcome(
                interface=interface,
                kind=KIND_HTTP,
                http_status=response.status_code,
                detail=excerpt(body, secrets),
                elapsed_ms=elapsed,
            )
        try:
            payload = json.loads(body)
        except ValueError:  # includes UnicodeDecodeError
            return self._transport(interface, "bad_json", excerpt(body, secrets), elapsed)
        if not isinstance(payload, dict):
            return self._transport(interface, "bad_json", excerpt(body, secrets), elapsed)
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
            # The lifetime AICC granted (it may be shorter than asked): the token is renewed
            # from this, not from X-Token-Expire. None or garbage: what was asked. Over the
            # documented maximum of 3600 s: 3600.
            granted = parse_int(payload.get("Expires"))
            if granted is None or granted <= 0:
                granted = lifetime
            granted = min(granted, MAX_TOKEN_LIFETIME)
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
                    ret_code=parse_ret_code(payload[code_key]),
                    ret_msg=scrub(parse_str(payload.get(msg_key)), secrets),
                    http_status=response.status_code,
                    elapsed_ms=elapsed,
                )
        return self._transport(TOKEN, "no_retcode", excerpt(response.content, secrets), elapsed)

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
        secrets: tuple[str, ...] = (),
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
        if response is not None and response.status_code in AUTH_RETRY_STATUSES:
            self._log(
                Outcome(interface, KIND_HTTP, http_status=response.status_code, elapsed_ms=elapsed),
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
            interface, response, exc, elapsed, self._secrets(tok.result.access_token, *secrets)
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
        status = response.status_code
        if "retCode" not in payload or payload["retCode"] is None:
            return self._transport(
                interface, "no_retcode", excerpt(response.content, secrets), elapsed
            )
        code = parse_ret_code(payload["retCode"])
        message = scrub(parse_str(payload.get("retMsg")), secrets)
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
            result = parse_result(interface, payload)
        except BadShape as bad:
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

        Raises InvalidRequest (a ValueError), before sending anything, for a missing
        softPhone/called or a field over its length limit (calls/call_input.py checks these
        and more first). For call_type "ITA" callData and
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
            raise InvalidRequest(f"call_data is longer than {CALL_DATA_MAX} characters")
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
        return self._call(CREATE_CALL, body, numbers=numbers, secrets=(call_data,), ref=ref)

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
        start_ms, end_ms = epoch_ms(start), epoch_ms(end)
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
    text = parse_serial(serial)
    if text is None:
        raise ValueError(f"callSerialNo must be a non-empty string of at most {SERIAL_MAX}")
    return text
