"""The simulator's data: tenant accounts and the mutable state behind one lock."""

from __future__ import annotations

import heapq
import itertools
import secrets
import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from calls.aicc.simulator.scenarios import Scenario
from calls.aicc.simulator.timeline import Call


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
    # Grant tokens at most this long, whatever X-Token-Expire asks (a real AICC may shorten it).
    max_token_lifetime: int = 3600

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
        self.max_token_lifetime = int(self.max_token_lifetime)
        if self.max_token_lifetime < 1:
            raise ValueError("max_token_lifetime must be >= 1")

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

    def softphone(self, phone_num: str) -> dict | None:
        return next((p for p in self.softphones if p["phoneNum"] == phone_num), None)


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

    def add_account(self, account: Account) -> None:
        """Add an account, or replace the one with the same app_key."""
        with self.lock:
            self.accounts[account.app_key] = account

    def add_scenario(self, data: dict) -> Scenario:
        with self.lock:
            sc = Scenario.from_dict(data, next(self._scenario_ids))
            self.scenarios.append(sc)
            return sc

    def take_scenario(self, interface: str, called: str | None) -> Scenario | None:
        """The scenario that applies to this request, with one use taken off its ``times``."""
        with self.lock:
            specific = wildcard = None
            for sc in reversed(self.scenarios):  # newest first
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
                    self.scenarios.remove(sc)
            return sc

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def schedule(self, due: float, kind: str, serial: str) -> None:
        """Queue a pushed event ("connect" or "release") of a call."""
        with self.lock:
            heapq.heappush(self.events, (due, next(self._seq), kind, serial))

    def pop_due_events(self, now: float) -> list[tuple[str, Call]]:
        with self.lock:
            due = []
            while self.events and self.events[0][0] <= now:
                _, _, kind, serial = heapq.heappop(self.events)
                call = self.calls.get(serial)
                if call is not None:
                    due.append((kind, call))
            return due

    def prune(self, now: float) -> None:
        """Drop expired tokens and recordings, and calls that have ended from ``active``."""
        with self.lock:
            for tok in [t for t, (_, exp) in self.tokens.items() if exp <= now]:
                del self.tokens[tok]
            for name in [n for n, (exp, _) in self.recordings.items() if exp <= now]:
                del self.recordings[name]
            for key in [k for k, c in self.active.items() if c.end <= now]:
                del self.active[key]

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
