"""Pushed events: the ticker that fires them when due, their bodies, signatures and delivery."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from calls.aicc.simulator.state import SimState
from calls.aicc.simulator.timeline import Call, ms

log = logging.getLogger("calls.aicc.simulator")

CALLBACK_TIMEOUT_S = 3.0
TICK_S = 0.02
PRUNE_EVERY_S = 5


def run_ticker(state: SimState, stop: threading.Event) -> None:
    """Fire the events that have fallen due, and prune the state now and then, until ``stop``."""
    last_prune = time.time()
    while not stop.wait(TICK_S):
        now = time.time()
        due = state.pop_due_events(now)
        if now - last_prune > PRUNE_EVERY_S:
            last_prune = now
            state.prune(now)
        for kind, call in due:
            try:
                fire(state, kind, call)
            except Exception:
                log.exception("aicc simulator: could not fire %s event", kind)


def fire(state: SimState, kind: str, call: Call) -> None:
    """Post a call's "connect" or "release" event from its own thread, if the account wants it."""
    acct = call.account
    url = acct.connect_callback_url if kind == "connect" else acct.release_callback_url
    if not url:
        return
    body = event_body(kind, call)
    if acct.shared_key:
        ts = str(int(time.time() * 1000))
        nonce = secrets.token_hex(16)
        sig = sign(body, acct.shared_key, ts, nonce)
        body = {**body, "timestamp": ts, "nonce": nonce, "signature": sig}
    threading.Thread(
        target=_post, args=(state, kind, url, body), name="aicc-sim-cb", daemon=True
    ).start()


def event_body(kind: str, call: Call) -> dict:
    if kind == "connect":
        return {
            "callSerialNo": call.serial,
            "serviceNo": call.service_no,
            "called": call.called,
            "callData": call.call_data,
        }

    def s(v: Any) -> str:
        return "" if v is None else str(v)

    return {
        "callSerialNo": call.serial,
        "serviceNo": call.service_no,
        "called": call.called,
        "caller": call.caller,
        "callerPresent": call.caller_present,
        "callData": call.call_data,
        "createCallTime": s(ms(call.created)),
        "alertingTime": s(ms(call.alerting)),
        "talkingTime": s(ms(call.talking)),
        "releaseTime": s(ms(call.release)),
        "talkDuration": str(call.talk_duration),
        "recordfile": f"/record/{call.app_key}/{call.serial}.wav" if call.answered else "",
        "locationId": "1" if call.answered else "",
        "releaseReason": str(call.reason_code),
        "agentAlertingTime": s(ms(call.agent_alerting)),
        "agentTalkingTime": s(ms(call.agent_talking)),
        "agentReleaseTime": s(ms(call.agent_release)),
        "agentTalkDuration": str(call.agent_talk_duration),
    }


def sign(body: dict, shared_key: str, timestamp: str, nonce: str) -> str:
    """aicc-api.md §12c: plain SHA-256 over secret_timestamp_nonce_k=v,k=v (sorted), base64."""
    params = ",".join(f"{k}={'null' if body[k] is None else body[k]}" for k in sorted(body))
    text = f"{shared_key}_{timestamp}_{nonce}_{params}"
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _post(state: SimState, kind: str, url: str, body: dict) -> None:
    """POST one event, once, and record the delivery in ``state.callbacks``."""
    entry: dict[str, Any] = {"kind": kind, "url": url, "body": body, "time": time.time()}
    try:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"unsupported callback URL scheme: {url!r}")
        req = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json;charset=UTF-8"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=CALLBACK_TIMEOUT_S) as resp:  # noqa: S310
            resp.read()
            entry["status"] = resp.status
    except Exception as exc:
        entry["error"] = repr(exc)
        log.warning("aicc simulator: %s callback to %s failed: %r", kind, url, exc)
    with state.lock:
        state.callbacks.append(entry)
