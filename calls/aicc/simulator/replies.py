"""What a handler returns for the HTTP layer to write: a JSON object, raw bytes, or a fault."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from calls.aicc.simulator.vendor import CREATE_CALL_MSGS, GENERIC_MSGS


@dataclass
class Reply:
    status: int = 200
    obj: Any = None
    raw: bytes | None = None
    ctype: str = "application/json;charset=UTF-8"
    fault: str | None = None
    delay: float = 0.0
    # createCall's entry in the simulator's log: gets "served_ms" once the answer is written.
    log_entry: dict | None = None


NOT_JSON = object()


def parse_json(raw: bytes) -> Any:
    """The decoded JSON body, or ``NOT_JSON``."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return NOT_JSON


def http_error(status: int, message: str) -> Reply:
    return Reply(status=status, obj={"retCode": str(status), "retMsg": message})


def create_call_failure(code: str, daily_limit: int, message: str | None = None) -> Reply:
    """HTTP 200 with a createCall retCode other than 0 and its vendor text (or `message`)."""
    msg = message or CREATE_CALL_MSGS[code].replace("{limit}", str(daily_limit))
    return Reply(obj={"retCode": code, "retMsg": msg})


def query_failure(interface: str, code: str) -> Reply:
    """HTTP 200 with a query interface's retCode other than 0 and its vendor text.

    getRecordingAddress's retCode is a JSON number, as documented; the others' are strings.
    """
    ret_code: str | int = int(code) if interface == "getRecordingAddress" else code
    return Reply(obj={"retCode": ret_code, "retMsg": GENERIC_MSGS[interface][code]})
