"""How a call plays out: its outcome, its reasonCode, and the times of its events.

A call's whole timeline is fixed when it is created; its state is read from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calls.aicc.simulator.state import Account

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
        """queryCallState's state, read as the state of the call to the customer (docs/
        contract-choices.md, "Which leg is ringing"): 0 "to be called" while AICC rings the
        agent, 1 "calling" once the agent answered and the customer rings, 2 talking."""
        if now >= self.end:
            return 3
        if self.talking is not None and now >= self.talking:
            return 2
        if self.agent_talking is not None and now >= self.agent_talking:
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


def ms(t: float | None) -> int | None:
    """Epoch seconds as epoch milliseconds; None stays None."""
    return None if t is None else int(t * 1000)


def outcome_and_reason(call_type: str, outcome: str | None, q850: int | None) -> tuple[str, int]:
    """The outcome a new call plays out and its reasonCode, from a scenario's outcome and q850."""
    if outcome is None:
        outcome = (
            Q850_OUTCOME.get(q850, "customer_leg_failed")
            if (q850 is not None and call_type == "ITA")
            else "customer_hangup"
        )
    if call_type == "ITA":
        reason = q850 if q850 is not None else ITA_DEFAULT_Q850[outcome]
    else:
        reason = OUTCOMES[outcome]
    return outcome, reason


def build_timeline(outcome: str, t0: float, scale: float) -> dict:
    """The event times of a call created at t0: the time fields of ``Call``."""

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
