"""Softphone health (issue 20, section 2): what a call says about the softphone AICC rang first,
and the verdict an admin reads. The rules are written down in docs/contract-choices.md
("Softphone health").

Each call is read once for its agent leg (the customer manager's softphone, rung first):

- ANSWERED: the softphone rang and was answered (it works);
- UNANSWERED: it rang, nobody answered;
- NOT_REACHED: AICC could not ring it at all (switched off, not signed in, no signal);
- REFUSED: createCall refused the number itself (retCode 8: not in the allocated softphone
  range; 16: a trial tenant's agent-side number not on the trustlist);
- NEUTRAL (""): says nothing about the softphone (still live, a failure before AICC, the
  customer's leg, the provider).

`agent_leg()` reads a Call in Python; `leg_q()` is its twin as a query filter (the health page
counts with it); tests/calls/test_softphone_health.py keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

ANSWERED = "answered"
UNANSWERED = "unanswered"
NOT_REACHED = "not_reached"
REFUSED = "refused"
NEUTRAL = ""
FAILURES = (NOT_REACHED, UNANSWERED, REFUSED)

# A softphone turns unhealthy when this many calls in a row (in the order the console learns
# their outcomes, neutral calls skipped) did not get through to it; one answered call makes it
# healthy again.
UNHEALTHY_AFTER = 3

FINAL_SOURCES = ("push", "cdr")  # calls.services.outcomes: an outcome from a call record
REFUSING_CODES = ("8", "16")  # createCall retCodes about the agent-side number
# AICC reasonCode (aicc-api.md 4.1): 0 called hung up, 1 calling hung up, 2 calling leg failed,
# 3 called leg failed, 4 calling party did not answer, 5 called did not answer, 6 not started.
# The customer's leg (0, 3, 5) is only rung once the softphone answered.
AICC_ANSWERED = ("0", "3", "5")


def agent_leg(call) -> str:
    """What `call` says about its softphone: one of ANSWERED, UNANSWERED, NOT_REACHED, REFUSED,
    NEUTRAL."""
    if call.status == "failed":
        if call.reason_source == "createCall" and call.reason_code in REFUSING_CODES:
            return REFUSED
        return NEUTRAL
    code = call.outcome_code
    if not code:
        return NEUTRAL
    talked = call.agent_talking_at is not None
    rang = call.agent_alerting_at is not None
    if call.call_type == "ITA":  # Q.850 causes say nothing of which leg: the times do
        if talked:
            return ANSWERED
        if rang:
            return UNANSWERED
        return NOT_REACHED if call.outcome_source in FINAL_SOURCES else NEUTRAL
    if code == "2":
        return NOT_REACHED
    if code == "4":
        return UNANSWERED
    if code in AICC_ANSWERED:
        return ANSWERED
    if code == "1":  # the softphone's side hung up: after answering, or while it rang
        if talked:
            return ANSWERED
        if rang:
            return UNANSWERED
    return NEUTRAL


def leg_q(kind: str) -> Q:
    """The calls `agent_leg()` reads as `kind` (not NEUTRAL), as a filter."""
    if kind == REFUSED:
        return Q(status="failed", reason_source="createCall", reason_code__in=REFUSING_CODES)
    placed = ~Q(status="failed") & ~Q(outcome_code="")
    ita, aicc = Q(call_type="ITA"), ~Q(call_type="ITA")
    talked = Q(agent_talking_at__isnull=False)
    rang = Q(agent_alerting_at__isnull=False)
    if kind == ANSWERED:
        return placed & (
            (ita & talked)
            | (aicc & Q(outcome_code__in=AICC_ANSWERED))
            | (aicc & Q(outcome_code="1") & talked)
        )
    if kind == UNANSWERED:
        return placed & (
            (ita & ~talked & rang)
            | (aicc & Q(outcome_code="4"))
            | (aicc & Q(outcome_code="1") & ~talked & rang)
        )
    if kind == NOT_REACHED:
        return placed & (
            (ita & ~talked & ~rang & Q(outcome_source__in=FINAL_SOURCES))
            | (aicc & Q(outcome_code="2"))
        )
    raise ValueError(f"no filter for {kind!r}")


@dataclass(frozen=True)
class Streak:
    """The calls in a row that did not get through to a softphone, by kind."""

    not_reached: int = 0
    unanswered: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.not_reached + self.unanswered + self.refused

    @property
    def unhealthy(self) -> bool:
        return self.total >= UNHEALTHY_AFTER


def is_unhealthy(not_reached: int, unanswered: int, refused: int) -> bool:
    return Streak(not_reached, unanswered, refused).unhealthy


@dataclass(frozen=True)
class Verdict:
    state: str  # "unhealthy" | "watch" | "healthy" | "none"
    text: str


def verdict(mapping, since_text: str, last_ok_text: str) -> Verdict:
    """The verdict of a SoftphoneMapping from its stored streak (calls.services.health), in the
    admin's words; `since_text` and `last_ok_text` are the streak's start and the last answered
    call, formatted by the caller in the tenant's time zone."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    s = Streak(mapping.health_not_reached, mapping.health_unanswered, mapping.health_refused)
    n = s.total
    words = {"n": n, "since": since_text}
    if s.unhealthy:
        if s.refused == n:
            text = ngettext(
                "AICC refused %(n)d of the last %(n)d call from this softphone since "
                "%(since)s: its number is not one AICC allows. Check the number on the "
                "Softphones page against AICC's allocation.",
                "AICC refused %(n)d of the last %(n)d calls from this softphone since "
                "%(since)s: its number is not one AICC allows. Check the number on the "
                "Softphones page against AICC's allocation.",
                n,
            )
        elif s.not_reached == n:
            text = ngettext(
                "%(n)d of the last %(n)d call never reached this softphone since %(since)s: "
                "check that it is signed in.",
                "%(n)d of the last %(n)d calls never reached this softphone since %(since)s: "
                "check that it is signed in.",
                n,
            )
        elif s.unanswered == n:
            text = ngettext(
                "%(n)d of the last %(n)d call rang this softphone but nobody answered since "
                "%(since)s: check that it rings where its customer manager is.",
                "%(n)d of the last %(n)d calls rang this softphone but nobody answered since "
                "%(since)s: check that it rings where its customer manager is.",
                n,
            )
        else:
            text = _(
                "%(n)d of the last %(n)d calls did not get through to this softphone since "
                "%(since)s (%(not_reached)d never reached it, %(unanswered)d rang unanswered, "
                "%(refused)d refused by AICC): check that it is signed in and that its number "
                "is right."
            ) % {**words, **s.__dict__}
            return Verdict("unhealthy", text)
        return Verdict("unhealthy", text % words)
    if n:
        text = ngettext(
            "Healthy, to watch: %(n)d call in a row did not get through to it (since %(since)s).",
            "Healthy, to watch: %(n)d calls in a row did not get through to it (since %(since)s).",
            n,
        )
        return Verdict("watch", text % words)
    if mapping.health_last_ok_at is not None:
        return Verdict(
            "healthy",
            _("Healthy: the last call was answered on it (%(at)s).") % {"at": last_ok_text},
        )
    return Verdict("none", _("No calls yet: nothing to judge."))


def format_moment(moment: datetime | None, now: datetime, zone) -> str:
    """A moment in the tenant's time zone: "09:10" today, else "2026-11-29 09:10"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")
