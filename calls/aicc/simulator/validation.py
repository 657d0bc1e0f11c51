"""The request checks of each interface, in the vendor's order (see docs/simulator.md).

Each ``check_*`` returns the answer to a request that fails a check, or None when it passes.
"""

from __future__ import annotations

from calls.aicc.simulator.replies import Reply, create_call_failure, http_error, query_failure
from calls.aicc.simulator.state import Account
from calls.aicc.simulator.vendor import (
    CREATE_CALL_FIELDS,
    CREATE_CALL_OPTIONAL,
    CREATE_CALL_REQUIRED,
    DIGITS,
    SEVEN_DAYS_MS,
)

CDR_STRING_FIELDS = ("startTime", "endTime", "offset", "limit", "caller", "taskType")
PAGE_STRING_FIELDS = ("offset", "limit")


def check_create_call(acct: Account, body: dict) -> Reply | None:
    """Every createCall check that needs no call state (the daily cap and duplicates do)."""
    for key, value in body.items():
        if not isinstance(value, str):
            return http_error(
                400, f"Incorrect request. Check the parameters: {key} must be a string."
            )

    def fail(code: str, message: str | None = None) -> Reply:
        return create_call_failure(code, acct.daily_limit, message)

    ita = acct.call_type == "ITA"
    unknown = sorted(set(body) - set(CREATE_CALL_FIELDS))
    if unknown:
        # Vendor silent for AICC calls: its generic 400 "Check the request path and
        # parameters". ITA: 90100100 "a parameter is ... not supported" [doc, Table 4].
        if ita:
            return fail("90100100")
        return http_error(
            400, f"Incorrect request. Check the request path and parameters: {unknown[0]}."
        )
    if ita and ("callData" in body or "callerPresent" in body):
        return fail("90100100")
    for key in CREATE_CALL_REQUIRED:
        if not body.get(key):
            # The vendor's own sample: HTTP 200 {"retMsg": "Called is not configured",
            # "retCode": "5"}. ITA: 90100100 "a parameter is missing" [doc, Table 4].
            if ita:
                return fail("90100100")
            return fail("5", f"{key[0].upper()}{key[1:]} is not configured")
    for key in CREATE_CALL_OPTIONAL:
        if key in body and body[key] == "":
            # Vendor silent: an empty optional value is refused, not read as omitted (a client
            # that sends one would be relying on luck). callData -> 2, the numbers -> 5.
            return fail("2" if key == "callData" else "5")
    soft_phone, called = body["softPhone"], body["called"]
    caller = body.get("caller", "")
    call_data = body.get("callData", "")
    caller_present = body.get("callerPresent", "")
    if len(call_data) > 1024:
        return fail("2")
    for number in (soft_phone, called, caller):
        if number and (len(number) > 32 or not DIGITS.fullmatch(number)):
            return fail("5")
    if caller_present and not _valid_caller_present(acct, caller_present):
        return fail("5")
    if acct.softphone(soft_phone) is None:
        return fail("8")
    if acct.trial and (caller or soft_phone) not in acct.trustlist:
        return fail("16")
    return None


def _valid_caller_present(acct: Account, caller_present: str) -> bool:
    if caller_present in acct.access_codes:
        return True
    return bool(
        acct.anonymization and DIGITS.fullmatch(caller_present) and 11 <= len(caller_present) <= 14
    )


def check_query_call_state(body: dict) -> Reply | None:
    serial = body.get("callSerialNo")
    rejected = _check_serial_given(serial)
    if rejected is not None:
        return rejected
    if len(serial) > 50 or not DIGITS.fullmatch(serial):
        return query_failure("queryCallState", "3")
    return None


def check_cdr_query(body: dict) -> Reply | None:
    rejected = _check_strings(body, CDR_STRING_FIELDS)
    if rejected is not None:
        return rejected
    start, end = body.get("startTime"), body.get("endTime")
    if not start or not end or not DIGITS.fullmatch(start) or not DIGITS.fullmatch(end):
        return query_failure("queryCallDetailRecord", "2")
    start_ms, end_ms = int(start), int(end)
    if end_ms < start_ms or end_ms - start_ms > SEVEN_DAYS_MS:
        return query_failure("queryCallDetailRecord", "2")
    if not _valid_page(body):
        return query_failure("queryCallDetailRecord", "4")
    caller = body.get("caller") or None
    if caller is not None and len(caller) > 32:
        return query_failure("queryCallDetailRecord", "12")
    return None


def check_query_phone(acct: Account, body: dict) -> Reply | None:
    rejected = _check_strings(body, PAGE_STRING_FIELDS)
    if rejected is not None:
        return rejected
    if not _valid_page(body):
        return query_failure("queryPhone", "4")
    if not acct.softphones:
        return query_failure("queryPhone", "2")
    return None


def check_get_recording_address(body: dict) -> Reply | None:
    serial = body.get("callSerialNo")
    rejected = _check_serial_given(serial)
    if rejected is not None:
        return rejected
    if len(serial) > 50:
        return query_failure("getRecordingAddress", "12")
    return None


def offset_and_limit(body: dict) -> tuple[int, int]:
    """(offset, limit) of a checked query: offset defaults to 0, limit to 100 (clamped 1..100)."""
    offset = int(body.get("offset", "0"))
    limit = min(max(int(body.get("limit", "100")), 1), 100)
    return offset, limit


def _valid_page(body: dict) -> bool:
    offset, limit = body.get("offset", "0"), body.get("limit", "100")
    return bool(DIGITS.fullmatch(offset) and DIGITS.fullmatch(limit))


def _check_serial_given(serial: object) -> Reply | None:
    if serial is None:
        return http_error(400, "Incorrect request. callSerialNo is mandatory.")
    if not isinstance(serial, str):
        return http_error(400, "Incorrect request. callSerialNo must be a string.")
    return None


def _check_strings(body: dict, keys: tuple[str, ...]) -> Reply | None:
    for key in keys:
        if key in body and not isinstance(body[key], str):
            return http_error(400, f"Incorrect request. {key} must be a string.")
    return None
