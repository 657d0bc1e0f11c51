"""The control endpoints under ``/__sim/``: scenarios, latency, accounts, logs and reset."""

from __future__ import annotations

from calls.aicc.simulator.replies import NOT_JSON, Reply, http_error, parse_json
from calls.aicc.simulator.state import Account, SimState


def handle_control(state: SimState, method: str, path: str, raw: bytes) -> Reply:
    if method == "GET":
        return _read(state, path)
    body = parse_json(raw) if raw.strip() else {}
    if body is NOT_JSON:
        return http_error(400, "body must be JSON")
    try:
        return _change(state, path, body)
    except (TypeError, ValueError) as exc:
        return http_error(400, str(exc))


def _read(state: SimState, path: str) -> Reply:
    if path == "/__sim/stats":
        return Reply(obj=state.stats())
    with state.lock:
        if path == "/__sim/calls":
            return Reply(obj=list(state.create_calls))
        if path == "/__sim/scenarios":
            return Reply(obj=[sc.to_dict() for sc in state.scenarios])
        if path == "/__sim/accounts":
            return Reply(obj=[a.to_dict() for a in state.accounts.values()])
        if path == "/__sim/callbacks":
            return Reply(obj=list(state.callbacks))
    return http_error(404, "unknown simulator endpoint")


def _change(state: SimState, path: str, body: object) -> Reply:
    """A POST (or PUT, DELETE) endpoint; raises ValueError or TypeError on a bad body."""
    if path == "/__sim/scenario":
        items = body if isinstance(body, list) else [body]
        added = [state.add_scenario(item).to_dict() for item in items]
        return Reply(obj={"ok": True, "scenarios": added})
    if path == "/__sim/latency":
        if not isinstance(body, dict):
            raise ValueError("body must be an object")
        ms = int(body.get("ms", 0))
        if ms < 0:
            raise ValueError("ms must be >= 0")
        with state.lock:
            state.latency_ms = ms
        return Reply(obj={"ok": True, "latency_ms": ms})
    if path == "/__sim/accounts":
        acct = Account.from_dict(body)
        state.add_account(acct)
        return Reply(obj={"ok": True, "account": acct.to_dict()})
    if path == "/__sim/expire_tokens":
        state.expire_tokens()
        return Reply(obj={"ok": True})
    if path == "/__sim/reset":
        state.reset()
        return Reply(obj={"ok": True})
    return http_error(404, "unknown simulator endpoint")
