"""Scenarios: injected answers, faults and call outcomes, set through ``POST /__sim/scenario``."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields
from http import HTTPStatus
from typing import Any

from calls.aicc.simulator.replies import Reply
from calls.aicc.simulator.timeline import OUTCOMES
from calls.aicc.simulator.vendor import CREATE_CALL_MSGS, GENERIC_MSGS, INTERFACES

FAULTS = {"timeout", "drop", "bad_json", "no_retcode", "reset"}
DEFAULT_TIMEOUT_FAULT_S = 30.0


@dataclass
class Scenario:
    id: int
    interface: str = "createCall"
    called: str = "*"
    retCode: str | None = None
    retMsg: str | None = None
    http_status: int | None = None
    fault: str | None = None
    latency_ms: int | None = None
    outcome: str | None = None
    q850: int | None = None
    times: int | None = None

    @classmethod
    def from_dict(cls, data: dict, sid: int) -> Scenario:
        if not isinstance(data, dict):
            raise ValueError("a scenario must be a JSON object")
        known = {f.name for f in fields(cls)} - {"id"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown scenario fields: {sorted(unknown)}")
        sc = cls(id=sid, **data)
        sc.called = str(sc.called or "*")
        if sc.interface not in INTERFACES:
            raise ValueError(f"interface must be one of {sorted(INTERFACES)}")
        if sc.fault is not None and sc.fault not in FAULTS:
            raise ValueError(f"fault must be one of {sorted(FAULTS)}")
        if sc.outcome is not None and sc.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}")
        if sc.retCode is not None:
            sc.retCode = str(sc.retCode)
        for name in ("http_status", "latency_ms", "q850", "times"):
            v = getattr(sc, name)
            if v is not None:
                setattr(sc, name, int(v))
        if sc.times is not None and sc.times < 1:
            raise ValueError("times must be >= 1")
        return sc

    def to_dict(self) -> dict:
        return asdict(self)


def scenario_reply(sc: Scenario | None, interface: str) -> Reply | None:
    """The injected reply of a scenario, or None to carry on normally."""
    if sc is None:
        return None
    if sc.fault == "timeout":
        delay = (sc.latency_ms / 1000.0) if sc.latency_ms is not None else DEFAULT_TIMEOUT_FAULT_S
        return Reply(fault="timeout", delay=delay)
    if sc.latency_ms:
        time.sleep(sc.latency_ms / 1000.0)
    if sc.fault in ("drop", "reset"):
        return Reply(fault=sc.fault)
    if sc.fault == "bad_json":
        html = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
        return Reply(raw=html, ctype="text/html")
    if sc.fault == "no_retcode":
        return Reply(obj={"result": {}})
    if sc.http_status is not None and sc.http_status != 200:
        return Reply(status=sc.http_status, obj=_http_status_body(sc))
    if sc.retCode is not None and sc.retCode != "0":
        msg = sc.retMsg
        if msg is None:
            table = (
                CREATE_CALL_MSGS if interface == "createCall" else GENERIC_MSGS.get(interface, {})
            )
            msg = table.get(sc.retCode, "failed").replace("{limit}", "10")
        code: Any = sc.retCode
        if interface == "getRecordingAddress" and code.lstrip("-").isdigit():
            code = int(code)
        return Reply(obj={"retCode": code, "retMsg": msg})
    return None


def _http_status_body(sc: Scenario) -> dict:
    if sc.retCode is not None:
        return {"retCode": sc.retCode, "retMsg": sc.retMsg or ""}
    try:
        phrase = HTTPStatus(sc.http_status).phrase
    except ValueError:
        phrase = "Error"
    return {"error_code": f"SIM.{sc.http_status}", "error_msg": phrase}
