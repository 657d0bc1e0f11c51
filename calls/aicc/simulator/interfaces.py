"""The vendor's six interfaces: tokenByAkSk, createCall and the four queries, plus recordings."""

from __future__ import annotations

import hashlib
import io
import math
import re
import secrets
import time
import wave
from datetime import datetime
from typing import TYPE_CHECKING, Any

from calls.aicc.simulator.archive import is_archived
from calls.aicc.simulator.replies import (
    NOT_JSON,
    Reply,
    create_call_failure,
    http_error,
    parse_json,
    query_failure,
)
from calls.aicc.simulator.scenarios import Scenario, scenario_reply
from calls.aicc.simulator.state import Account, SimState
from calls.aicc.simulator.timeline import Call, build_timeline, ms, outcome_and_reason
from calls.aicc.simulator.validation import (
    check_cdr_query,
    check_create_call,
    check_get_recording_address,
    check_query_call_state,
    check_query_phone,
    offset_and_limit,
)
from calls.aicc.simulator.vendor import (
    API_PATHS,
    BEARER,
    DEFAULT_TOKEN_LIFETIME,
    GENERIC_MSGS,
    MAX_TOKEN_LIFETIME,
)

if TYPE_CHECKING:
    from calls.aicc.simulator.server import Simulator


def _make_wav() -> bytes:
    """A tiny recording that can be heard: two 425 Hz beeps in 1.2 s (8 kHz, 8-bit mono: 9.6 kB)."""
    rate = 8000
    frames = bytearray()
    for i in range(int(rate * 1.2)):
        t = i / rate
        on = 0.0 <= t % 0.6 < 0.4
        frames.append(128 + (round(60 * math.sin(2 * math.pi * 425 * t)) if on else 0))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


WAV_BYTES = _make_wav()


# ---- token --------------------------------------------------------------------------------


def handle_token(state: SimState, headers: Any, raw: bytes) -> Reply:
    """``POST /apigovernance/api/oauth/tokenByAkSk``."""
    _global_latency(state)
    expire_hdr = headers.get("X-Token-Expire")
    if expire_hdr is None:
        lifetime = DEFAULT_TOKEN_LIFETIME
    else:
        try:
            lifetime = int(expire_hdr.strip())
        except ValueError:
            return http_error(400, "X-Token-Expire must be an integer number of seconds")
        if lifetime < 1:
            return http_error(400, "X-Token-Expire must be >= 1")
        lifetime = min(lifetime, MAX_TOKEN_LIFETIME)
    body = parse_json(raw)
    if not isinstance(body, dict):
        return http_error(400, "The request body must be a JSON object")
    sc = state.take_scenario("tokenByAkSk", None)
    injected = scenario_reply(sc, "tokenByAkSk")
    if injected is not None:
        return injected
    app_key, app_secret = body.get("app_key"), body.get("app_secret")
    with state.lock:
        acct = state.accounts.get(app_key) if isinstance(app_key, str) else None
        if (
            acct is None
            or not isinstance(app_secret, str)
            or not secrets.compare_digest(acct.app_secret.encode(), app_secret.encode())
        ):
            return Reply(
                status=403,
                obj={"retCode": "403", "retMsg": "Forbidden: invalid app_key or app_secret"},
            )
        lifetime = min(lifetime, acct.max_token_lifetime)  # the account may grant less
        now = time.time()
        token = secrets.token_urlsafe(48)
        state.tokens[token] = (acct.app_key, now + lifetime)
        state.token_fetches[acct.app_key] = state.token_fetches.get(acct.app_key, 0) + 1
    return Reply(
        obj={
            "AccessToken": token,
            "ApplyType": "Bearer",
            "CreateTime": str(int(now)),
            "Expires": str(lifetime),
            "Scope": secrets.token_hex(16),
            "AppKey": acct.app_key,
            "UserID": "Anonymous",
        }
    )


def _global_latency(state: SimState) -> None:
    delay_ms = state.latency_ms
    if delay_ms > 0:
        time.sleep(delay_ms / 1000.0)


# ---- /apiaccess ---------------------------------------------------------------------------


def handle_api(sim: Simulator, path: str, headers: Any, raw: bytes) -> Reply:
    """A ``POST /apiaccess/...`` request: latency, path, token, body, then the interface."""
    state = sim.state
    _global_latency(state)
    interface = API_PATHS.get(path)
    if interface is None:
        return http_error(404, "The requested content is not found. Check the request path.")
    m = BEARER.fullmatch(headers.get("Authorization") or "")
    if m is None:
        return http_error(401, "Unauthorized: missing or malformed Authorization header")
    with state.lock:
        entry = state.tokens.get(m.group(1))
        if entry is None or entry[1] <= time.time():
            state.tokens.pop(m.group(1), None)
            return http_error(401, "Unauthorized: the token is invalid or has expired")
        token_app_key = entry[0]
        acct = state.accounts.get(token_app_key)
    header_app_key = headers.get("X-APP-Key")
    if acct is None or (header_app_key is not None and header_app_key != token_app_key):
        return http_error(401, "Unauthorized: X-APP-Key does not match the token")
    body = parse_json(raw)
    if interface == "createCall":
        return _logged_create_call(sim, acct, body, raw, header_app_key, token_app_key)
    if not isinstance(body, dict):
        return http_error(400, "Incorrect request. The body must be a JSON object.")
    return _answer_query(sim, interface, acct, body)


def _answer_query(sim: Simulator, interface: str, acct: Account, body: dict) -> Reply:
    called = None
    serial = body.get("callSerialNo")
    if isinstance(serial, str):
        with sim.state.lock:
            call = sim.state.calls.get(serial)
        if call is not None and call.app_key == acct.app_key:
            called = call.called
    sc = sim.state.take_scenario(interface, called)
    injected = scenario_reply(sc, interface)
    if injected is not None:
        return injected
    handler = {
        "queryCallState": _query_call_state,
        "queryCallDetailRecord": _query_cdr,
        "queryPhone": _query_phone,
        "getRecordingAddress": _get_recording_address,
    }[interface]
    return handler(sim, acct, body)


# ---- createCall ---------------------------------------------------------------------------


def _logged_create_call(
    sim: Simulator,
    acct: Account,
    body: Any,
    raw: bytes,
    header_app_key: str | None,
    token_app_key: str,
) -> Reply:
    """createCall, recorded in ``state.create_calls`` whatever the answer."""
    log_entry: dict[str, Any] = {
        # the parsed JSON, or the raw text when it is not JSON
        "body": raw.decode("utf-8", "replace") if body is NOT_JSON else body,
        "app_key": header_app_key,
        "token_app_key": token_app_key,
        "serial": None,
        "retCode": None,
        "http_status": None,
        "fault": None,
        "time": time.time(),
    }
    if not isinstance(body, dict):
        reply = http_error(400, "Incorrect request. The body must be a JSON object.")
    else:
        called = body.get("called") if isinstance(body.get("called"), str) else None
        sc = sim.state.take_scenario("createCall", called)
        reply = scenario_reply(sc, "createCall")
        if reply is None:
            reply = _create_call(sim, acct, body, sc, log_entry)
    log_entry["http_status"] = None if reply.fault else reply.status
    log_entry["fault"] = reply.fault
    if reply.fault is None and isinstance(reply.obj, dict) and "retCode" in reply.obj:
        log_entry["retCode"] = str(reply.obj["retCode"]) if reply.status == 200 else None
    with sim.state.lock:
        sim.state.create_calls.append(log_entry)
    reply.log_entry = log_entry
    return reply


def _create_call(
    sim: Simulator, acct: Account, body: dict, sc: Scenario | None, log_entry: dict
) -> Reply:
    rejected = check_create_call(acct, body)
    if rejected is not None:
        return rejected
    soft_phone, called = body["softPhone"], body["called"]
    caller_present = body.get("callerPresent") or ""
    outcome, reason = outcome_and_reason(
        acct.call_type,
        sc.outcome if sc is not None and sc.outcome else None,
        sc.q850 if sc is not None else None,
    )
    state = sim.state
    with state.lock:
        now = time.time()
        day = datetime.fromtimestamp(now, acct.zone()).date().isoformat()
        day_key = (acct.app_key, day)
        if acct.trial and state.daily.get(day_key, 0) >= acct.daily_limit:
            return create_call_failure("21", acct.daily_limit)
        key = (acct.app_key, soft_phone, called)
        previous = state.active.get(key)
        if previous is not None and previous.end > now:
            return create_call_failure("1", acct.daily_limit)
        serial = state.next_serial()
        while serial in state.calls:
            serial = state.next_serial()
        default_present = acct.access_codes[0] if acct.access_codes else ""
        call = Call(
            serial=serial,
            app_key=acct.app_key,
            call_type=acct.call_type,
            caller=body.get("caller") or soft_phone,
            soft_phone=soft_phone,
            called=called,
            call_data=body.get("callData") or "",
            caller_present=caller_present or default_present,
            agent_present=default_present,
            service_no=acct.softphone(soft_phone)["agentId"],
            outcome=outcome,
            reason_code=reason,
            created=now,
            account=acct,
            **build_timeline(outcome, now, sim.time_scale),
        )
        state.calls[serial] = call
        state.active[key] = call
        state.daily[day_key] = state.daily.get(day_key, 0) + 1
        if acct.connect_callback_url and call.talking is not None:
            state.schedule(call.talking, "connect", serial)
        if acct.release_callback_url:
            state.schedule(call.end, "release", serial)
    log_entry["serial"] = serial
    return Reply(obj={"retCode": "0", "retMsg": "success", "result": {"callSerialNo": serial}})


# ---- queries ------------------------------------------------------------------------------


def _query_call_state(sim: Simulator, acct: Account, body: dict) -> Reply:
    rejected = check_query_call_state(body)
    if rejected is not None:
        return rejected
    with sim.state.lock:
        call = sim.state.calls.get(body["callSerialNo"])
    if call is None or call.app_key != acct.app_key:
        return query_failure("queryCallState", "1")
    call_state = call.state_at(time.time())
    result: dict[str, Any] = {
        "state": call_state,
        "callData": call.call_data,
        "caller": call.caller,
        "called": call.called,
        "startTime": ms(call.created),
        "callerPresent": call.caller_present,
        "agentPresent": call.agent_present,
    }
    if call_state == 3:
        result["reasonCode"] = call.reason_code
        result["endTime"] = ms(call.end)
    msg = GENERIC_MSGS["queryCallState"]["0"]
    return Reply(obj={"retCode": "0", "retMsg": msg, "result": result})


def _query_cdr(sim: Simulator, acct: Account, body: dict) -> Reply:
    rejected = check_cdr_query(body)
    if rejected is not None:
        return rejected
    start_ms, end_ms = int(body["startTime"]), int(body["endTime"])
    offset, limit = offset_and_limit(body)
    caller = body.get("caller") or None
    wanted = {"0": "AICC", "1": "AICC", "4": "ITA"}.get(body.get("taskType") or "0")
    now = time.time()
    with sim.state.lock:
        rows = [
            c
            for c in sim.state.calls.values()
            if c.app_key == acct.app_key
            and c.call_type == wanted
            and c.end <= now
            and start_ms <= ms(c.created) <= end_ms
            and (caller is None or c.caller == caller)
        ]
    if not rows:
        return query_failure("queryCallDetailRecord", "1")
    rows.sort(key=lambda c: (c.created, c.serial))
    info = [_cdr_row(c) for c in rows[offset : offset + limit]]
    return Reply(
        obj={
            "retCode": "0",
            "retMsg": GENERIC_MSGS["queryCallDetailRecord"]["0"],
            "result": {"total": len(rows), "callInfo": info},
        }
    )


def _cdr_row(c: Call) -> dict:
    return {
        "callSerialNo": c.serial,
        "caller": c.caller,
        "called": c.called,
        "startTime": ms(c.created),
        "endTime": ms(c.end),
        "state": 3,
        "reasonCode": c.reason_code,
        "callData": c.call_data,
        "callerPresent": c.caller_present,
        "alertingTime": ms(c.alerting),
        "talkingTime": ms(c.talking),
        "releaseTime": ms(c.release),
        "talkDuration": c.talk_duration,
        "agentAlertingTime": ms(c.agent_alerting),
        "agentTalkingTime": ms(c.agent_talking),
        "agentReleaseTime": ms(c.agent_release),
        "agentTalkDuration": c.agent_talk_duration,
        "agentPresent": c.agent_present,
    }


def _query_phone(sim: Simulator, acct: Account, body: dict) -> Reply:
    rejected = check_query_phone(acct, body)
    if rejected is not None:
        return rejected
    offset, limit = offset_and_limit(body)
    tenant = "2023" + hashlib.sha256(acct.app_key.encode()).hexdigest()[:14]
    phones = [
        {
            "phoneNum": p["phoneNum"],
            "password": "Sim@" + hashlib.sha256(p["phoneNum"].encode()).hexdigest()[:8],
            "id": str(1000 + i),
            "status": p["status"],
            "remark": p["remark"],
            "tenantId": tenant,
            "partdbId": "1",
        }
        for i, p in enumerate(acct.softphones, start=1)
    ]
    return Reply(
        obj={
            "retCode": "0",
            "retMsg": GENERIC_MSGS["queryPhone"]["0"],
            "result": {
                "total": len(phones),
                "regIPAddress": "127.0.0.1",
                "regPort": 5060,
                "phone": phones[offset : offset + limit],
            },
        }
    )


# ---- recordings ---------------------------------------------------------------------------


def _get_recording_address(sim: Simulator, acct: Account, body: dict) -> Reply:
    rejected = check_get_recording_address(body)
    if rejected is not None:
        return rejected
    serial = body["callSerialNo"]
    now = time.time()
    with sim.state.lock:
        call = sim.state.calls.get(serial)
        if call is None:
            known = is_archived(acct.app_key, serial)  # the demo's seeded history (archive.py)
        else:
            known = call.app_key == acct.app_key and call.answered and call.state_at(now) == 3
        if not known:
            return query_failure("getRecordingAddress", "5")
        name = secrets.token_hex(16)
        sim.state.recordings[name] = (now + sim.recording_ttl, serial)
    url = f"{sim.url}/__sim/recordings/{name}.wav"
    msg = GENERIC_MSGS["getRecordingAddress"]["0"]
    return Reply(obj={"retCode": 0, "retMsg": msg, "result": {"url": url}})


def get_recording(state: SimState, path: str) -> Reply:
    """``GET /__sim/recordings/<name>.wav``: a URL handed out by getRecordingAddress."""
    m = re.fullmatch(r"/__sim/recordings/([0-9a-f]{32})\.wav", path)
    with state.lock:
        entry = state.recordings.get(m.group(1)) if m else None
        if entry is not None and entry[0] <= time.time():
            del state.recordings[m.group(1)]
            entry = None
    if entry is None:
        return http_error(404, "The recording does not exist or has expired.")
    return Reply(raw=WAV_BYTES, ctype="audio/wav")
