"""A faithful, in-memory fake of the Huawei Cloud AICC "bidirectional call" API.

Standard library only: no Django, no third-party packages.  Used by ``make run`` (through the
``aicc_simulator`` management command) and by the test-suite over real HTTP on loopback.

    sim = Simulator(host="127.0.0.1", port=0).start()
    sim.url            # both the token base URL and the /apiaccess base URL
    sim.stop()

Calls are not driven by a thread each: a call's whole timeline is fixed when it is created and its
state is computed lazily from the clock.  One small "ticker" thread fires the pushed callback
events (connection / release) when they fall due.  See docs/simulator.md for every choice made
where the vendor documentation is silent.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import io
import itertools
import json
import logging
import re
import secrets
import socket
import struct
import threading
import time
import urllib.request
import wave
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

__all__ = ["Account", "Simulator", "SimState"]

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"
API_PATHS = {
    "/apiaccess/CC-Management/v3/mobileAgent/createCall": "createCall",
    "/apiaccess/CC-Management/v1/mobileAgent/queryCallState": "queryCallState",
    "/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord": "queryCallDetailRecord",
    "/apiaccess/CC-Management/v1/mobileAgent/queryPhone": "queryPhone",
    "/apiaccess/CC-Management/v1/mobileAgent/getRecordingAddress": "getRecordingAddress",
}
INTERFACES = {"tokenByAkSk", *API_PATHS.values()}
FAULTS = {"timeout", "drop", "bad_json", "no_retcode", "reset"}

DEFAULT_TOKEN_LIFETIME = 600
MAX_TOKEN_LIFETIME = 3600
DEFAULT_TIMEOUT_FAULT_S = 30.0
CALLBACK_TIMEOUT_S = 3.0
SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000

# Call timeline, in seconds of simulated time (multiplied by time_scale).
WAIT_S = 0.5  # state 0 "waiting" before the agent leg is dialled
AGENT_RING_S = 2.0  # agent phone rings, then the agent answers
CUSTOMER_RING_S = 3.0  # customer phone rings, then the customer answers
TALK_S = 8.0  # conversation
RING_TIMEOUT_S = 6.0  # ringing before "no answer"
LEG_FAIL_S = 1.0  # a failing leg fails after this long

# outcome -> AICC reasonCode (aicc-api.md §4.1)
OUTCOMES = {
    "customer_hangup": 0,
    "agent_hangup": 1,
    "agent_leg_failed": 2,
    "customer_leg_failed": 3,
    "agent_no_answer": 4,
    "customer_no_answer": 5,
    "not_started": 6,
}
# outcome -> default Q.850 cause for ITA accounts when no q850 is given
ITA_DEFAULT_Q850 = {
    "customer_hangup": 16,
    "agent_hangup": 16,
    "agent_leg_failed": 41,
    "customer_leg_failed": 41,
    "agent_no_answer": 19,
    "customer_no_answer": 19,
    "not_started": 41,
}
# q850 given without an outcome -> timeline used
Q850_OUTCOME = {
    16: "customer_hangup",
    17: "customer_leg_failed",
    18: "customer_no_answer",
    19: "customer_no_answer",
    21: "customer_leg_failed",
}

CREATE_CALL_MSGS = {
    "0": "success",
    "1": "Failed to add the outbound call task. The same outbound call task may exist in the "
    "outbound call database.",
    "2": "Call data information is invalid. The callData exceeds 1024 characters.",
    "3": "The call SN field is not queried.",
    "5": "The format of the calling number, called number, or CLIP number is incorrect.",
    "6": "The VDN is unavailable.",
    "8": "The calling number is not in the softphone number range used by the mobile agent "
    "assigned by the tenant.",
    "16": "The agent-side number of the trial tenant is not in the trustlist.",
    "21": "The number of one-click bidirectional calls of the trial tenant exceeds the upper "
    "limit {limit} per day.",
    "90100100": "Invalid Input Parameter",
}
GENERIC_MSGS = {
    "queryCallState": {
        "0": "success",
        "1": "Failed to query the call status.",
        "3": "The callSerialNo format is incorrect.",
    },
    "queryCallDetailRecord": {
        "0": "Query call detail record successfully",
        "1": "no data",
        "2": "The format of the start time or end time is incorrect.",
        "4": "The format of limit or offset is incorrect.",
        "12": "The calling number is unavailable.",
    },
    "queryPhone": {
        "0": "success",
        "1": "Query failed.",
        "2": "The mobile agent information is empty.",
        "3": "The registration server address or port is empty.",
        "4": "The limit or offset is empty.",
        "5": "The VDN information is empty.",
    },
    "getRecordingAddress": {
        "0": "success",
        "5": "No matching history record is found.",
        "12": "The length of callSerialNo exceeds 50 characters.",
    },
}

DIGITS = re.compile(r"[0-9]+")
BEARER = re.compile(r"Bearer ([^\s]+)")


def _default_softphones() -> list[dict]:
    phones = []
    remarks = {3: "Front desk", 5: "Team lead", 8: "Spare (paused)", 10: "Night shift (paused)"}
    for i in range(1, 11):
        phones.append(
            {
                "phoneNum": str(10000 + i),
                "status": 1 if i in (8, 10) else 0,
                "remark": remarks.get(i, ""),
            }
        )
    return phones


def _make_wav() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 2000)  # 0.25 s of silence
    return buf.getvalue()


WAV_BYTES = _make_wav()


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass
class Account:
    """One tenant space (one API Fabric app_key)."""

    app_key: str = "demo-app-key"
    app_secret: str = "demo-app-secret"
    call_type: str = "AICC"  # or "ITA"
    trial: bool = False
    trustlist: list[str] = field(default_factory=list)
    daily_limit: int = 10
    access_codes: list[str] = field(default_factory=lambda: ["4001234567"])
    anonymization: bool = False
    softphones: list[dict] = field(default_factory=_default_softphones)
    connect_callback_url: str = ""
    release_callback_url: str = ""
    shared_key: str = ""
    tz: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        self.call_type = str(self.call_type).upper()
        if self.call_type not in ("AICC", "ITA"):
            raise ValueError("call_type must be 'AICC' or 'ITA'")
        if not self.app_key or not isinstance(self.app_key, str):
            raise ValueError("app_key must be a non-empty string")
        phones = []
        for i, p in enumerate(self.softphones):
            if isinstance(p, str):
                p = {"phoneNum": p}
            if not isinstance(p, dict) or not p.get("phoneNum"):
                raise ValueError("each softphone needs a phoneNum")
            phones.append(
                {
                    "phoneNum": str(p["phoneNum"]),
                    "status": int(p.get("status", 0)),
                    "remark": str(p.get("remark", "")),
                    "agentId": str(p.get("agentId", 101 + i)),
                }
            )
        self.softphones = phones
        self.trustlist = [str(x) for x in self.trustlist]
        self.access_codes = [str(x) for x in self.access_codes]
        self.daily_limit = int(self.daily_limit)

    @classmethod
    def from_dict(cls, data: dict) -> Account:
        if not isinstance(data, dict):
            raise ValueError("an account must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown account fields: {sorted(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return asdict(self)

    def zone(self) -> timezone | ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except Exception:  # unknown name or no tz database: fall back to China Standard Time
            return timezone(timedelta(hours=8))


@dataclass
class Call:
    serial: str
    app_key: str
    call_type: str
    caller: str  # agent-side number (caller if given, else the softphone)
    soft_phone: str
    called: str
    call_data: str
    caller_present: str
    agent_present: str
    service_no: str
    outcome: str
    reason_code: int
    created: float
    dial: float
    agent_alerting: float | None
    agent_talking: float | None
    alerting: float | None
    talking: float | None
    release: float | None
    agent_release: float | None
    end: float
    account: Account

    def state_at(self, now: float) -> int:
        if now >= self.end:
            return 3
        if self.talking is not None and now >= self.talking:
            return 2
        if now >= self.dial:
            return 1
        return 0

    @property
    def talk_duration(self) -> int:
        if self.talking is None or self.release is None:
            return 0
        return int(round(self.release - self.talking))

    @property
    def agent_talk_duration(self) -> int:
        if self.agent_talking is None or self.agent_release is None:
            return 0
        return int(round(self.agent_release - self.agent_talking))

    @property
    def answered(self) -> bool:
        return self.talking is not None


def _ms(t: float | None) -> int | None:
    return None if t is None else int(t * 1000)


def _build_timeline(outcome: str, t0: float, scale: float) -> dict:
    def s(x: float) -> float:
        return x * scale

    dial = t0 + s(WAIT_S)
    t: dict[str, Any] = {
        "dial": dial,
        "agent_alerting": None,
        "agent_talking": None,
        "alerting": None,
        "talking": None,
        "release": None,
        "agent_release": None,
    }
    if outcome == "not_started":
        t["end"] = dial
        return t
    if outcome == "agent_leg_failed":
        t["end"] = t["agent_release"] = dial + s(LEG_FAIL_S)
        return t
    t["agent_alerting"] = dial
    if outcome == "agent_no_answer":
        t["end"] = t["agent_release"] = dial + s(RING_TIMEOUT_S)
        return t
    t["agent_talking"] = dial + s(AGENT_RING_S)
    if outcome == "customer_leg_failed":
        t["end"] = t["agent_release"] = t["release"] = t["agent_talking"] + s(LEG_FAIL_S)
        return t
    t["alerting"] = t["agent_talking"]
    if outcome == "customer_no_answer":
        t["end"] = t["agent_release"] = t["release"] = t["alerting"] + s(RING_TIMEOUT_S)
        return t
    t["talking"] = t["alerting"] + s(CUSTOMER_RING_S)
    t["end"] = t["agent_release"] = t["release"] = t["talking"] + s(TALK_S)
    return t


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


class SimState:
    """All mutable state; every access goes through ``lock``."""

    def __init__(self, accounts: list[Account]):
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {a.app_key: a for a in accounts}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (app_key, expires_at)
        self.token_fetches: dict[str, int] = {}
        self.create_calls: list[dict] = []
        self.calls: dict[str, Call] = {}
        self.active: dict[tuple[str, str, str], Call] = {}  # (app_key, softPhone, called)
        self.daily: dict[tuple[str, str], int] = {}  # (app_key, local date) -> placed calls
        self.scenarios: list[Scenario] = []
        self.latency_ms = 0
        self.recordings: dict[str, tuple[float, str]] = {}  # name -> (expires_at, serial)
        self.events: list[tuple[float, int, str, str]] = []  # heap (due, seq, kind, serial)
        self.callbacks: list[dict] = []  # delivery log
        self._seq = itertools.count()
        self._scenario_ids = itertools.count(1)
        self._serial = 1_000_000_000_000_000_000 + secrets.randbelow(8 * 10**18)

    def next_serial(self) -> str:
        self._serial += 1 + secrets.randbelow(7)
        if self._serial >= 10**19:
            self._serial = 1_000_000_000_000_000_000
        return str(self._serial)

    def reset(self) -> None:
        with self.lock:
            self.token_fetches.clear()
            self.create_calls.clear()
            self.calls.clear()
            self.active.clear()
            self.daily.clear()
            self.scenarios.clear()
            self.latency_ms = 0
            self.recordings.clear()
            self.events.clear()
            self.callbacks.clear()

    def stats(self) -> dict:
        with self.lock:
            by_code: dict[str, int] = {}
            for entry in self.create_calls:
                key = entry["retCode"]
                if key is None:
                    key = (
                        f"fault_{entry['fault']}"
                        if entry.get("fault")
                        else (f"http_{entry['http_status']}")
                    )
                by_code[key] = by_code.get(key, 0) + 1
            return {
                "token_fetches": dict(self.token_fetches),
                "create_calls": len(self.create_calls),
                "calls_by_retcode": by_code,
                "callbacks": len(self.callbacks),
            }


def _is_loopback(addr: str) -> bool:
    if addr.startswith("::ffff:"):
        addr = addr[7:]
    return addr == "::1" or addr.startswith("127.")


def _sign(body: dict, shared_key: str, timestamp: str, nonce: str) -> str:
    """aicc-api.md §12c: plain SHA-256 over secret_timestamp_nonce_k=v,k=v (sorted), base64."""
    params = ",".join(f"{k}={'null' if body[k] is None else body[k]}" for k in sorted(body))
    text = f"{shared_key}_{timestamp}_{nonce}_{params}"
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# --------------------------------------------------------------------------------------------
# Simulator
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    sim: Simulator


class Simulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        accounts: list[Account] | None = None,
        time_scale: float = 1.0,
        recording_ttl: float = 300.0,
        latency_ms: int = 0,
        scenarios: list[dict] | None = None,
    ):
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self.recording_ttl = float(recording_ttl)
        self.state = SimState(list(accounts) if accounts else [Account()])
        self.state.latency_ms = int(latency_ms)
        for sc in scenarios or []:
            self.add_scenario(sc)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.sim = self
        self.host = host
        self.port = self._httpd.server_address[1]
        wildcard = host in ("", "0.0.0.0", "::")  # noqa: S104 - only to print a usable URL
        url_host = ("127.0.0.1" if host != "::" else "::1") if wildcard else host
        if ":" in url_host:
            url_host = f"[{url_host}]"
        self.url = f"http://{url_host}:{self.port}"
        self._stop = threading.Event()
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    @classmethod
    def from_config_file(
        cls, path: str, host: str = "127.0.0.1", port: int = 0, time_scale: float = 1.0
    ) -> Simulator:
        with open(path, encoding="utf-8") as fh:
            cfg = json.load(fh)
        if isinstance(cfg, list):
            cfg = {"accounts": cfg}
        if not isinstance(cfg, dict):
            raise ValueError("config must be a JSON object")
        accounts = [Account.from_dict(a) for a in cfg.get("accounts", [])]
        return cls(
            host=host,
            port=port,
            accounts=accounts or None,
            time_scale=float(cfg.get("time_scale", time_scale)),
            recording_ttl=float(cfg.get("recording_ttl", 300.0)),
            latency_ms=int(cfg.get("latency_ms", 0)),
            scenarios=cfg.get("scenarios", []),
        )

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = threading.Thread(
                target=self._tick_loop, name="aicc-sim-ticker", daemon=True
            )
            self._ticker.start()

    def start(self) -> Simulator:
        self._start_ticker()
        self._thread = threading.Thread(target=self.serve_forever, name="aicc-sim", daemon=True)
        self._thread.start()
        self._serving.wait(5)
        return self

    def serve_forever(self) -> None:
        self._start_ticker()
        self._serving.set()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._serving.clear()

    def stop(self) -> None:
        self._stop.set()
        if self._serving.is_set():
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- admin helpers --------------------------------------------------------------------

    def add_account(self, account: Account) -> None:
        with self.state.lock:
            self.state.accounts[account.app_key] = account

    def add_scenario(self, data: dict) -> Scenario:
        with self.state.lock:
            sc = Scenario.from_dict(data, next(self.state._scenario_ids))
            self.state.scenarios.append(sc)
            return sc

    def expire_tokens(self) -> None:
        with self.state.lock:
            self.state.tokens.clear()

    def reset(self) -> None:
        self.state.reset()

    # ---- ticker / callbacks ---------------------------------------------------------------

    def _tick_loop(self) -> None:
        last_prune = time.time()
        while not self._stop.wait(0.02):
            now = time.time()
            due: list[tuple[str, Call]] = []
            with self.state.lock:
                ev = self.state.events
                while ev and ev[0][0] <= now:
                    _, _, kind, serial = heapq.heappop(ev)
                    call = self.state.calls.get(serial)
                    if call is not None:
                        due.append((kind, call))
                if now - last_prune > 5:
                    last_prune = now
                    self._prune(now)
            for kind, call in due:
                try:
                    self._fire(kind, call)
                except Exception:
                    log.exception("aicc simulator: could not fire %s event", kind)

    def _prune(self, now: float) -> None:
        st = self.state
        for tok in [t for t, (_, exp) in st.tokens.items() if exp <= now]:
            del st.tokens[tok]
        for name in [n for n, (exp, _) in st.recordings.items() if exp <= now]:
            del st.recordings[name]
        for key in [k for k, c in st.active.items() if c.end <= now]:
            del st.active[key]

    def _fire(self, kind: str, call: Call) -> None:
        acct = call.account
        if kind == "connect":
            url = acct.connect_callback_url
            body = {
                "callSerialNo": call.serial,
                "serviceNo": call.service_no,
                "called": call.called,
                "callData": call.call_data,
            }
        else:
            url = acct.release_callback_url

            def s(v: Any) -> str:
                return "" if v is None else str(v)

            body = {
                "callSerialNo": call.serial,
                "serviceNo": call.service_no,
                "called": call.called,
                "caller": call.caller,
                "callerPresent": call.caller_present,
                "callData": call.call_data,
                "createCallTime": s(_ms(call.created)),
                "alertingTime": s(_ms(call.alerting)),
                "talkingTime": s(_ms(call.talking)),
                "releaseTime": s(_ms(call.release)),
                "talkDuration": str(call.talk_duration),
                "recordfile": f"/record/{call.app_key}/{call.serial}.wav" if call.answered else "",
                "locationId": "1" if call.answered else "",
                "releaseReason": str(call.reason_code),
                "agentAlertingTime": s(_ms(call.agent_alerting)),
                "agentTalkingTime": s(_ms(call.agent_talking)),
                "agentReleaseTime": s(_ms(call.agent_release)),
                "agentTalkDuration": str(call.agent_talk_duration),
            }
        if not url:
            return
        if acct.shared_key:
            ts = str(int(time.time() * 1000))
            nonce = secrets.token_hex(16)
            sig = _sign(body, acct.shared_key, ts, nonce)
            body = {**body, "timestamp": ts, "nonce": nonce, "signature": sig}
        threading.Thread(
            target=self._post_callback, args=(kind, url, body), name="aicc-sim-cb", daemon=True
        ).start()

    def _post_callback(self, kind: str, url: str, body: dict) -> None:
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
        with self.state.lock:
            self.state.callbacks.append(entry)

    # ---- scenario matching ----------------------------------------------------------------

    def _take_scenario(self, interface: str, called: str | None) -> Scenario | None:
        with self.state.lock:
            specific = wildcard = None
            for sc in reversed(self.state.scenarios):  # newest first
                if sc.interface != interface:
                    continue
                if sc.called == "*":
                    wildcard = wildcard or sc
                elif called is not None and sc.called == called:
                    specific = specific or sc
            sc = specific or wildcard
            if sc is not None and sc.times is not None:
                sc.times -= 1
                if sc.times <= 0:
                    self.state.scenarios.remove(sc)
            return sc

    def _scenario_reply(self, sc: Scenario | None, interface: str) -> Reply | None:
        """The injected reply of a scenario, or None to carry on normally."""
        if sc is None:
            return None
        if sc.fault == "timeout":
            delay = (
                (sc.latency_ms / 1000.0) if sc.latency_ms is not None else (DEFAULT_TIMEOUT_FAULT_S)
            )
            return Reply(fault="timeout", delay=delay)
        if sc.latency_ms:
            time.sleep(sc.latency_ms / 1000.0)
        if sc.fault in ("drop", "reset"):
            return Reply(fault=sc.fault)
        if sc.fault == "bad_json":
            html = (
                b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
            )
            return Reply(raw=html, ctype="text/html")
        if sc.fault == "no_retcode":
            return Reply(obj={"result": {}})
        if sc.http_status is not None and sc.http_status != 200:
            if sc.retCode is not None:
                obj = {"retCode": sc.retCode, "retMsg": sc.retMsg or ""}
            else:
                try:
                    phrase = HTTPStatus(sc.http_status).phrase
                except ValueError:
                    phrase = "Error"
                obj = {"error_code": f"SIM.{sc.http_status}", "error_msg": phrase}
            return Reply(status=sc.http_status, obj=obj)
        if sc.retCode is not None and sc.retCode != "0":
            msg = sc.retMsg
            if msg is None:
                table = (
                    CREATE_CALL_MSGS
                    if interface == "createCall"
                    else GENERIC_MSGS.get(interface, {})
                )
                msg = table.get(sc.retCode, "failed").replace("{limit}", "10")
            code: Any = sc.retCode
            if interface == "getRecordingAddress" and code.lstrip("-").isdigit():
                code = int(code)
            return Reply(obj={"retCode": code, "retMsg": msg})
        return None

    # ---- token ----------------------------------------------------------------------------

    def handle_token(self, headers: Any, raw: bytes) -> Reply:
        st = self.state
        self._global_latency()
        expire_hdr = headers.get("X-Token-Expire")
        if expire_hdr is None:
            lifetime = DEFAULT_TOKEN_LIFETIME
        else:
            try:
                lifetime = int(expire_hdr.strip())
            except ValueError:
                return _http_error(400, "X-Token-Expire must be an integer number of seconds")
            if lifetime < 1:
                return _http_error(400, "X-Token-Expire must be >= 1")
            lifetime = min(lifetime, MAX_TOKEN_LIFETIME)
        body = _parse_json(raw)
        if not isinstance(body, dict):
            return _http_error(400, "The request body must be a JSON object")
        sc = self._take_scenario("tokenByAkSk", None)
        injected = self._scenario_reply(sc, "tokenByAkSk")
        if injected is not None:
            return injected
        app_key, app_secret = body.get("app_key"), body.get("app_secret")
        with st.lock:
            acct = st.accounts.get(app_key) if isinstance(app_key, str) else None
            if (
                acct is None
                or not isinstance(app_secret, str)
                or not secrets.compare_digest(acct.app_secret.encode(), app_secret.encode())
            ):
                return Reply(
                    status=403,
                    obj={"retCode": "403", "retMsg": "Forbidden: invalid app_key or app_secret"},
                )
            now = time.time()
            token = secrets.token_urlsafe(48)
            st.tokens[token] = (acct.app_key, now + lifetime)
            st.token_fetches[acct.app_key] = st.token_fetches.get(acct.app_key, 0) + 1
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

    def _global_latency(self) -> None:
        ms = self.state.latency_ms
        if ms > 0:
            time.sleep(ms / 1000.0)

    # ---- /apiaccess -----------------------------------------------------------------------

    def handle_api(self, path: str, headers: Any, raw: bytes) -> Reply:
        self._global_latency()
        interface = API_PATHS.get(path)
        if interface is None:
            return _http_error(404, "The requested content is not found. Check the request path.")
        st = self.state
        m = BEARER.fullmatch(headers.get("Authorization") or "")
        if m is None:
            return _http_error(401, "Unauthorized: missing or malformed Authorization header")
        with st.lock:
            entry = st.tokens.get(m.group(1))
            if entry is None or entry[1] <= time.time():
                st.tokens.pop(m.group(1), None)
                return _http_error(401, "Unauthorized: the token is invalid or has expired")
            token_app_key = entry[0]
            acct = st.accounts.get(token_app_key)
        header_app_key = headers.get("X-APP-Key")
        if acct is None or (header_app_key is not None and header_app_key != token_app_key):
            return _http_error(401, "Unauthorized: X-APP-Key does not match the token")
        body = _parse_json(raw)
        if interface != "createCall":
            if not isinstance(body, dict):
                return _http_error(400, "Incorrect request. The body must be a JSON object.")
            return self._dispatch_query(interface, acct, body)

        log_entry: dict[str, Any] = {
            # the parsed JSON, or the raw text when it is not JSON
            "body": raw.decode("utf-8", "replace") if body is _BAD else body,
            "app_key": header_app_key,
            "token_app_key": token_app_key,
            "serial": None,
            "retCode": None,
            "http_status": None,
            "fault": None,
            "time": time.time(),
        }
        if not isinstance(body, dict):
            reply = _http_error(400, "Incorrect request. The body must be a JSON object.")
        else:
            called = body.get("called") if isinstance(body.get("called"), str) else None
            sc = self._take_scenario("createCall", called)
            reply = self._scenario_reply(sc, "createCall")
            if reply is None:
                reply = self._create_call(acct, body, sc, log_entry)
        log_entry["http_status"] = None if reply.fault else reply.status
        log_entry["fault"] = reply.fault
        if reply.fault is None and isinstance(reply.obj, dict) and "retCode" in reply.obj:
            log_entry["retCode"] = str(reply.obj["retCode"]) if reply.status == 200 else None
        with st.lock:
            st.create_calls.append(log_entry)
        reply.log_entry = log_entry
        return reply

    def _dispatch_query(self, interface: str, acct: Account, body: dict) -> Reply:
        called = None
        serial = body.get("callSerialNo")
        if isinstance(serial, str):
            with self.state.lock:
                call = self.state.calls.get(serial)
            if call is not None and call.app_key == acct.app_key:
                called = call.called
        sc = self._take_scenario(interface, called)
        injected = self._scenario_reply(sc, interface)
        if injected is not None:
            return injected
        handler = {
            "queryCallState": self._query_call_state,
            "queryCallDetailRecord": self._query_cdr,
            "queryPhone": self._query_phone,
            "getRecordingAddress": self._get_recording_address,
        }[interface]
        return handler(acct, body)

    # ---- createCall -----------------------------------------------------------------------

    def _create_call(
        self, acct: Account, body: dict, sc: Scenario | None, log_entry: dict
    ) -> Reply:
        for key, value in body.items():
            if not isinstance(value, str):
                return _http_error(
                    400, f"Incorrect request. Check the parameters: {key} must be a string."
                )
        soft_phone = body.get("softPhone", "")
        called = body.get("called", "")
        if not soft_phone or not called:
            return _http_error(
                400, "Incorrect request. Check the parameters: softPhone and called are mandatory."
            )
        caller = body.get("caller") or ""
        call_data = body.get("callData") or ""
        caller_present = body.get("callerPresent") or ""

        def fail(code: str) -> Reply:
            msg = CREATE_CALL_MSGS[code].replace("{limit}", str(acct.daily_limit))
            return Reply(obj={"retCode": code, "retMsg": msg})

        if acct.call_type == "ITA" and ("callData" in body or "callerPresent" in body):
            return fail("90100100")
        if len(call_data) > 1024:
            return fail("2")
        for number in (soft_phone, called, caller):
            if number and (len(number) > 32 or not DIGITS.fullmatch(number)):
                return fail("5")
        if caller_present and caller_present not in acct.access_codes:
            anonymous_ok = (
                acct.anonymization
                and DIGITS.fullmatch(caller_present)
                and 11 <= len(caller_present) <= 14
            )
            if not anonymous_ok:
                return fail("5")
        phone = next((p for p in acct.softphones if p["phoneNum"] == soft_phone), None)
        if phone is None:
            return fail("8")
        agent_side = caller or soft_phone
        if acct.trial and agent_side not in acct.trustlist:
            return fail("16")

        outcome = sc.outcome if sc is not None and sc.outcome else None
        q850 = sc.q850 if sc is not None else None
        if outcome is None:
            outcome = (
                Q850_OUTCOME.get(q850, "customer_leg_failed")
                if (q850 is not None and acct.call_type == "ITA")
                else "customer_hangup"
            )
        if acct.call_type == "ITA":
            reason = q850 if q850 is not None else ITA_DEFAULT_Q850[outcome]
        else:
            reason = OUTCOMES[outcome]

        st = self.state
        with st.lock:
            now = time.time()
            day = datetime.fromtimestamp(now, acct.zone()).date().isoformat()
            day_key = (acct.app_key, day)
            if acct.trial and st.daily.get(day_key, 0) >= acct.daily_limit:
                return fail("21")
            key = (acct.app_key, soft_phone, called)
            previous = st.active.get(key)
            if previous is not None and previous.end > now:
                return fail("1")
            serial = st.next_serial()
            while serial in st.calls:
                serial = st.next_serial()
            timeline = _build_timeline(outcome, now, self.time_scale)
            default_present = acct.access_codes[0] if acct.access_codes else ""
            call = Call(
                serial=serial,
                app_key=acct.app_key,
                call_type=acct.call_type,
                caller=agent_side,
                soft_phone=soft_phone,
                called=called,
                call_data=call_data,
                caller_present=caller_present or default_present,
                agent_present=default_present,
                service_no=phone["agentId"],
                outcome=outcome,
                reason_code=reason,
                created=now,
                account=acct,
                **timeline,
            )
            st.calls[serial] = call
            st.active[key] = call
            st.daily[day_key] = st.daily.get(day_key, 0) + 1
            if acct.connect_callback_url and call.talking is not None:
                heapq.heappush(st.events, (call.talking, next(st._seq), "connect", serial))
            if acct.release_callback_url:
                heapq.heappush(st.events, (call.end, next(st._seq), "release", serial))
        log_entry["serial"] = serial
        return Reply(obj={"retCode": "0", "retMsg": "success", "result": {"callSerialNo": serial}})

    # ---- queries --------------------------------------------------------------------------

    def _query_call_state(self, acct: Account, body: dict) -> Reply:
        msgs = GENERIC_MSGS["queryCallState"]
        serial = body.get("callSerialNo")
        if serial is None:
            return _http_error(400, "Incorrect request. callSerialNo is mandatory.")
        if not isinstance(serial, str):
            return _http_error(400, "Incorrect request. callSerialNo must be a string.")
        if len(serial) > 50 or not DIGITS.fullmatch(serial):
            return Reply(obj={"retCode": "3", "retMsg": msgs["3"]})
        with self.state.lock:
            call = self.state.calls.get(serial)
        if call is None or call.app_key != acct.app_key:
            return Reply(obj={"retCode": "1", "retMsg": msgs["1"]})
        now = time.time()
        state = call.state_at(now)
        result: dict[str, Any] = {
            "state": state,
            "callData": call.call_data,
            "caller": call.caller,
            "called": call.called,
            "startTime": _ms(call.created),
            "callerPresent": call.caller_present,
            "agentPresent": call.agent_present,
        }
        if state == 3:
            result["reasonCode"] = call.reason_code
            result["endTime"] = _ms(call.end)
        return Reply(obj={"retCode": "0", "retMsg": msgs["0"], "result": result})

    def _query_cdr(self, acct: Account, body: dict) -> Reply:
        msgs = GENERIC_MSGS["queryCallDetailRecord"]
        for key in ("startTime", "endTime", "offset", "limit", "caller", "taskType"):
            if key in body and not isinstance(body[key], str):
                return _http_error(400, f"Incorrect request. {key} must be a string.")

        def fail(code: str) -> Reply:
            return Reply(obj={"retCode": code, "retMsg": msgs[code]})

        start, end = body.get("startTime"), body.get("endTime")
        if not start or not end or not DIGITS.fullmatch(start) or not DIGITS.fullmatch(end):
            return fail("2")
        start_ms, end_ms = int(start), int(end)
        if end_ms < start_ms or end_ms - start_ms > SEVEN_DAYS_MS:
            return fail("2")
        offset_s, limit_s = body.get("offset", "0"), body.get("limit", "100")
        if not DIGITS.fullmatch(offset_s) or not DIGITS.fullmatch(limit_s):
            return fail("4")
        offset = int(offset_s)
        limit = min(max(int(limit_s), 1), 100)
        caller = body.get("caller") or None
        if caller is not None and len(caller) > 32:
            return fail("12")
        task_type = body.get("taskType") or "0"
        wanted = {"0": "AICC", "1": "AICC", "4": "ITA"}.get(task_type)
        now = time.time()
        with self.state.lock:
            rows = [
                c
                for c in self.state.calls.values()
                if c.app_key == acct.app_key
                and c.call_type == wanted
                and c.end <= now
                and start_ms <= _ms(c.created) <= end_ms
                and (caller is None or c.caller == caller)
            ]
        if not rows:
            return fail("1")
        rows.sort(key=lambda c: (c.created, c.serial))
        page = rows[offset : offset + limit]
        info = [
            {
                "callSerialNo": c.serial,
                "caller": c.caller,
                "called": c.called,
                "startTime": _ms(c.created),
                "endTime": _ms(c.end),
                "state": 3,
                "reasonCode": c.reason_code,
                "callData": c.call_data,
                "callerPresent": c.caller_present,
                "alertingTime": _ms(c.alerting),
                "talkingTime": _ms(c.talking),
                "releaseTime": _ms(c.release),
                "talkDuration": c.talk_duration,
                "agentAlertingTime": _ms(c.agent_alerting),
                "agentTalkingTime": _ms(c.agent_talking),
                "agentReleaseTime": _ms(c.agent_release),
                "agentTalkDuration": c.agent_talk_duration,
                "agentPresent": c.agent_present,
            }
            for c in page
        ]
        return Reply(
            obj={
                "retCode": "0",
                "retMsg": msgs["0"],
                "result": {"total": len(rows), "callInfo": info},
            }
        )

    def _query_phone(self, acct: Account, body: dict) -> Reply:
        msgs = GENERIC_MSGS["queryPhone"]
        for key in ("offset", "limit"):
            if key in body and not isinstance(body[key], str):
                return _http_error(400, f"Incorrect request. {key} must be a string.")
        offset_s, limit_s = body.get("offset", "0"), body.get("limit", "100")
        if not DIGITS.fullmatch(offset_s) or not DIGITS.fullmatch(limit_s):
            return Reply(obj={"retCode": "4", "retMsg": msgs["4"]})
        if not acct.softphones:
            return Reply(obj={"retCode": "2", "retMsg": msgs["2"]})
        offset = int(offset_s)
        limit = min(max(int(limit_s), 1), 100)
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
                "retMsg": msgs["0"],
                "result": {
                    "total": len(phones),
                    "regIPAddress": "127.0.0.1",
                    "regPort": 5060,
                    "phone": phones[offset : offset + limit],
                },
            }
        )

    def _get_recording_address(self, acct: Account, body: dict) -> Reply:
        msgs = GENERIC_MSGS["getRecordingAddress"]
        serial = body.get("callSerialNo")
        if serial is None:
            return _http_error(400, "Incorrect request. callSerialNo is mandatory.")
        if not isinstance(serial, str):
            return _http_error(400, "Incorrect request. callSerialNo must be a string.")
        if len(serial) > 50:
            return Reply(obj={"retCode": 12, "retMsg": msgs["12"]})
        now = time.time()
        with self.state.lock:
            call = self.state.calls.get(serial)
            if (
                call is None
                or call.app_key != acct.app_key
                or not call.answered
                or call.state_at(now) != 3
            ):
                return Reply(obj={"retCode": 5, "retMsg": msgs["5"]})
            name = secrets.token_hex(16)
            self.state.recordings[name] = (now + self.recording_ttl, serial)
        url = f"{self.url}/__sim/recordings/{name}.wav"
        return Reply(obj={"retCode": 0, "retMsg": msgs["0"], "result": {"url": url}})

    def get_recording(self, path: str) -> Reply:
        m = re.fullmatch(r"/__sim/recordings/([0-9a-f]{32})\.wav", path)
        with self.state.lock:
            entry = self.state.recordings.get(m.group(1)) if m else None
            if entry is not None and entry[0] <= time.time():
                del self.state.recordings[m.group(1)]
                entry = None
        if entry is None:
            return _http_error(404, "The recording does not exist or has expired.")
        return Reply(raw=WAV_BYTES, ctype="audio/wav")

    # ---- control --------------------------------------------------------------------------

    def handle_control(self, method: str, path: str, raw: bytes) -> Reply:
        st = self.state
        if method == "GET":
            if path == "/__sim/stats":
                return Reply(obj=st.stats())
            if path == "/__sim/calls":
                with st.lock:
                    return Reply(obj=list(st.create_calls))
            if path == "/__sim/scenarios":
                with st.lock:
                    return Reply(obj=[sc.to_dict() for sc in st.scenarios])
            if path == "/__sim/accounts":
                with st.lock:
                    return Reply(obj=[a.to_dict() for a in st.accounts.values()])
            if path == "/__sim/callbacks":
                with st.lock:
                    return Reply(obj=list(st.callbacks))
            return _http_error(404, "unknown simulator endpoint")
        body = _parse_json(raw) if raw.strip() else {}
        if body is _BAD:
            return _http_error(400, "body must be JSON")
        try:
            if path == "/__sim/scenario":
                items = body if isinstance(body, list) else [body]
                added = [self.add_scenario(item).to_dict() for item in items]
                return Reply(obj={"ok": True, "scenarios": added})
            if path == "/__sim/latency":
                if not isinstance(body, dict):
                    raise ValueError("body must be an object")
                ms = int(body.get("ms", 0))
                if ms < 0:
                    raise ValueError("ms must be >= 0")
                with st.lock:
                    st.latency_ms = ms
                return Reply(obj={"ok": True, "latency_ms": ms})
            if path == "/__sim/accounts":
                acct = Account.from_dict(body)
                self.add_account(acct)
                return Reply(obj={"ok": True, "account": acct.to_dict()})
            if path == "/__sim/expire_tokens":
                self.expire_tokens()
                return Reply(obj={"ok": True})
            if path == "/__sim/reset":
                self.reset()
                return Reply(obj={"ok": True})
        except (TypeError, ValueError) as exc:
            return _http_error(400, str(exc))
        return _http_error(404, "unknown simulator endpoint")


_BAD = object()


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _BAD


def _http_error(status: int, message: str) -> Reply:
    return Reply(status=status, obj={"retCode": str(status), "retMsg": message})


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AICCSimulator/1.0"
    sys_version = ""
    server: _Server
    # Headers and body go out as two writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (~40 ms on Linux) and every answer looks slow.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("aicc simulator: %s - %s", self.address_string(), format % args)

    def parse_request(self) -> bool:
        # The request line has arrived: from here on the time is the simulator's own.
        self._started = time.perf_counter()
        return super().parse_request()

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        sim = self.server.sim
        try:
            raw = self._read_body()
        except (ValueError, OSError):
            self._send(_http_error(400, "unreadable request body"))
            return
        path = urlsplit(self.path).path
        try:
            if path.startswith("/__sim/recordings/") and method == "GET":
                reply = sim.get_recording(path)
            elif path.startswith("/__sim/"):
                if not _is_loopback(self.client_address[0]):
                    reply = _http_error(403, "the simulator control API is loopback-only")
                else:
                    reply = sim.handle_control(method, path, raw)
            elif method != "POST":
                reply = _http_error(
                    404 if path not in API_PATHS and path != TOKEN_PATH else 405,
                    "only POST is supported",
                )
            elif path == TOKEN_PATH:
                reply = sim.handle_token(self.headers, raw)
            else:
                reply = sim.handle_api(path, self.headers, raw)
        except Exception:
            log.exception("aicc simulator: internal error on %s", path)
            reply = _http_error(500, "simulator internal error")
        self._send(reply)
        if reply.log_entry is not None:
            # From the request line read to the last byte of the answer written (headers
            # parsed, injected latency included): what bench/call_overhead.py subtracts.
            reply.log_entry["served_ms"] = (time.perf_counter() - self._started) * 1000

    def _send(self, reply: Reply) -> None:
        if reply.fault is not None:
            if reply.fault == "timeout":
                time.sleep(reply.delay)
            self.close_connection = True
            try:
                if reply.fault == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                else:
                    self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(reply.obj, ensure_ascii=False, default=str).encode("utf-8")
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.ctype)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True
