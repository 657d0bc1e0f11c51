"""Reading the vendor's values: codes, numbers, epoch times and serials as they come (types
vary between the doc table and the samples, §4), and each interface's result payload."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from calls.aicc.results import (
    CREATE_CALL,
    GET_RECORDING,
    QUERY_CALL_STATE,
    QUERY_CDR,
    QUERY_PHONE,
    CallRecord,
    CallState,
    CdrPage,
    CreateCallResult,
    Phone,
    PhonePage,
    RecordingUrl,
)

SERIAL_MAX = 50  # callSerialNo: string(50)

# Epoch values below this are taken as seconds, at or above as milliseconds. As ms,
# 1e11 is 1973-03-03; as seconds it is the year 5138. The vendor documents ms for
# every time field (§4, §5); the seconds branch only tolerates a 10-digit value.
_EPOCH_SECONDS_LIMIT = 100_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_EXACT_FLOAT = 2**53


class BadShape(Exception):
    """A 200 answer whose result does not have the documented shape (-> "bad_json")."""


def parse_ret_code(value: object) -> str:
    """retCode as a string: "0", 0 and 0.0 all become "0"."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_str(value: object) -> str:
    """A text field: numbers as their digits; None, booleans, objects and lists -> ""."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
            return str(int(value))
        return str(value)
    return str(value)


def parse_int(value: object) -> int | None:
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


def parse_time(value: object) -> datetime | None:
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


def parse_serial(value: object) -> str | None:
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


def epoch_ms(dt: datetime) -> str:
    """An aware datetime as the vendor's epoch milliseconds; a naive one raises ValueError."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("datetimes passed to the AICC client must be timezone-aware")
    return str((dt - _EPOCH) // timedelta(milliseconds=1))


def _call_state(result: dict) -> CallState:
    return CallState(
        state=parse_int(result.get("state")),
        reason_code=parse_int(result.get("reasonCode")),
        caller=parse_str(result.get("caller")),
        called=parse_str(result.get("called")),
        call_data=parse_str(result.get("callData")),
        caller_present=parse_str(result.get("callerPresent")),
        agent_present=parse_str(result.get("agentPresent")),
        start_time=parse_time(result.get("startTime")),
        end_time=parse_time(result.get("endTime")),
    )


def _call_record(item: dict) -> CallRecord:
    return CallRecord(
        serial=parse_serial(item.get("callSerialNo")) or "",
        caller=parse_str(item.get("caller")),
        called=parse_str(item.get("called")),
        state=parse_int(item.get("state")),
        reason_code=parse_int(item.get("reasonCode")),
        call_data=parse_str(item.get("callData")),
        caller_present=parse_str(item.get("callerPresent")),
        agent_present=parse_str(item.get("agentPresent")),
        start_time=parse_time(item.get("startTime")),
        end_time=parse_time(item.get("endTime")),
        alerting_time=parse_time(item.get("alertingTime")),
        talking_time=parse_time(item.get("talkingTime")),
        release_time=parse_time(item.get("releaseTime")),
        talk_duration=parse_int(item.get("talkDuration")),
        agent_alerting_time=parse_time(item.get("agentAlertingTime")),
        agent_talking_time=parse_time(item.get("agentTalkingTime")),
        agent_release_time=parse_time(item.get("agentReleaseTime")),
        agent_talk_duration=parse_int(item.get("agentTalkDuration")),
    )


def _phone(item: dict) -> Phone:
    return Phone(
        number=parse_str(item.get("phoneNum")),
        status=parse_int(item.get("status")),
        remark=parse_str(item.get("remark")),
        id=parse_str(item.get("id")),
    )


def _result_dict(payload: dict, *, required: bool) -> dict:
    result = payload.get("result")
    if result is None and not required:
        return {}
    if not isinstance(result, dict):
        raise BadShape("result is not an object")
    return result


def _create_call(payload: dict) -> CreateCallResult:
    serial = parse_serial(_result_dict(payload, required=True).get("callSerialNo"))
    if serial is None:
        raise BadShape("result.callSerialNo missing or unusable")
    return CreateCallResult(serial=serial)


def _state_payload(payload: dict) -> CallState:
    return _call_state(_result_dict(payload, required=True))


def _cdr_payload(payload: dict) -> CdrPage:
    result = _result_dict(payload, required=False)
    items = result.get("callInfo")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise BadShape("result.callInfo is not a list")
    records = [_call_record(item) for item in items if isinstance(item, dict)]
    total = parse_int(result.get("total"))
    # A missing total is taken as "this page is everything" (paging then stops).
    return CdrPage(total=total if total is not None else len(records), records=records)


def _phone_payload(payload: dict) -> PhonePage:
    result = _result_dict(payload, required=False)
    items = result.get("phone")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise BadShape("result.phone is not a list")
    phones = [_phone(item) for item in items if isinstance(item, dict)]
    total = parse_int(result.get("total"))
    return PhonePage(
        total=total if total is not None else len(phones),
        phones=phones,
        reg_ip=parse_str(result.get("regIPAddress")),
        reg_port=parse_int(result.get("regPort")),
    )


def _recording_payload(payload: dict) -> RecordingUrl:
    url = parse_str(_result_dict(payload, required=True).get("url")).strip()
    if not url:
        raise BadShape("result.url missing")
    return RecordingUrl(url=url)


_PARSERS = {
    CREATE_CALL: _create_call,
    QUERY_CALL_STATE: _state_payload,
    QUERY_CDR: _cdr_payload,
    QUERY_PHONE: _phone_payload,
    GET_RECORDING: _recording_payload,
}


def parse_result(interface: str, payload: dict):
    """The typed result of a successful answer of `interface`; BadShape if it has none."""
    return _PARSERS[interface](payload)
