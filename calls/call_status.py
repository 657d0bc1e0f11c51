"""How a call reads to a person: one status, from placing to its end.

The call page's card, the in-call bar and the history rows all say the same thing about a call,
from here: while it is live, which leg is ringing or talking (from AICC's call state, docs/
contract-choices.md "Which leg is ringing"); once it has ended, how (answered and for how long,
the customer did not answer, your phone could not be reached...), with the decoded reason of a
call that failed after placement, as failures before placement have theirs.

Its fixed words are translated once per language (the card is part of every placed call's
response: docs/performance.md, "the result panel").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Reason
from calls.models import Call

# queryCallState's state -> the leg it means (None: AICC not asked yet).
LEGS = {
    None: (
        _("Ringing your phone"),
        _("AICC rings your phone first. Pick up, and it then rings the customer."),
    ),
    0: (
        _("Ringing your phone"),
        _("AICC rings your phone first. Pick up, and it then rings the customer."),
    ),
    1: (_("Ringing the customer"), _("You answered. AICC is ringing the customer now.")),
    2: (_("Talking"), _("You are connected to the customer.")),
}

WORDS = {
    "placing": _("Placing the call…"),
    "placing_help": _("Waiting for AICC to answer."),
    "in_progress": _("In progress"),
    "answered": _("Answered"),
    "answered_for": _("Answered, talked for %(talk)s"),
    "answered_short": _("Answered, %(talk)s"),
    "about": _("about %(talk)s"),
    "ended": _("The call has ended"),
    "ended_short": _("Ended"),
    "ended_help": _("How it ended follows with AICC's call record."),
    "unfollowed": _("No longer followed"),
    "unfollowed_short": _("Not followed"),
    "unfollowed_help": _(
        "You stopped following this call. How it ended shows in your history once AICC reports it."
    ),
    "lost": _("How the call ended is not known"),
    "lost_help": _(
        "The console did not hear how this call ended. AICC's call records will tell: see the "
        "call's details."
    ),
    "unknown_short": _("Outcome unknown"),
    "not_placed": _("The call was not placed"),
    "failed_short": _("Failed: %(title)s"),
    "maybe": _("Not sure the call was placed"),
}


@lru_cache(maxsize=16)
def _translated(language: str | None) -> tuple[dict[str, str], dict]:
    # Called with the active language, so str() translates into it.
    words = {key: str(text) for key, text in WORDS.items()}
    legs = {key: (str(leg), str(help_)) for key, (leg, help_) in LEGS.items()}
    return words, legs


def mmss(seconds: int | float) -> str:
    """A duration as m:ss (h:mm:ss from an hour on)."""
    s = max(0, int(round(seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass
class Status:
    kind: str  # placing, live, answered, ended, not_answered, unfollowed, lost, failed, unknown
    tone: str  # the card's and the badge's colour: live, ok, warn, bad, unknown
    title: str  # the card's title
    short: str  # the one status of a history row
    help: str = ""  # one sentence under the title
    reason: Reason | None = None  # what happened, what to do, who can fix it
    leg: str = ""  # while live: which leg rings or talks

    @property
    def live(self) -> bool:
        return self.kind in ("placing", "live")

    @property
    def ended(self) -> bool:
        return self.kind in ("answered", "ended", "not_answered")


def talk_time(call: Call) -> tuple[int | None, bool]:
    """How long the customer talked (seconds), and whether that is the console's own estimate
    (from when it saw the call talking to AICC's end time) rather than AICC's call record."""
    if call.talk_seconds is not None:
        return call.talk_seconds, False
    if call.talking_at and call.released_at and call.released_at >= call.talking_at:
        return (call.released_at - call.talking_at).total_seconds(), True
    return None, False


def answered(call: Call) -> bool:
    """Whether the customer answered: the console saw the call talking, AICC's record has a talk
    time, or AICC says the customer hung up (reasonCode 0: they had answered)."""
    if call.talking_at or call.talk_seconds:
        return True
    return call.call_type != "ITA" and call.state == 3 and call.outcome_code == "0"


def status_of(call: Call, now: datetime | None = None, reader=None) -> Status:
    """How `call` reads to `reader` (calls.readers; None: the customer manager who placed it)."""
    words, legs = _translated(get_language())
    if call.status == Call.Status.PLACING:
        return Status("placing", "live", words["placing"], words["placing"], words["placing_help"])
    if call.status in (Call.Status.FAILED, Call.Status.UNKNOWN):
        reason = call.reason(reader)
        failed = call.status == Call.Status.FAILED
        head = words["not_placed"] if failed else words["maybe"]
        title = f"{head}: {reason.title}" if reason else head
        if failed:
            short = words["failed_short"] % {"title": reason.title} if reason else head
            return Status("failed", "bad", title, short, reason=reason)
        return Status("unknown", "unknown", title, words["unknown_short"], reason=reason)
    if call.ended:
        return _ended(call, words, reader)
    if call.unfollowed_at is not None:
        return Status(
            "unfollowed",
            "unknown",
            words["unfollowed"],
            words["unfollowed_short"],
            words["unfollowed_help"],
        )
    if not call.is_live(now or timezone.now()):
        return Status("lost", "unknown", words["lost"], words["unknown_short"], words["lost_help"])
    leg, help_ = legs.get(call.state, legs[None])
    return Status("live", "live", leg, words["in_progress"], help_, leg=leg)


def _answered(call: Call, words: dict[str, str], outcome_title: str) -> Status:
    seconds, estimate = talk_time(call)
    if seconds is None:
        title = short = words["answered"]
    else:
        talk = mmss(seconds)
        if estimate:
            talk = words["about"] % {"talk": talk}
        title = words["answered_for"] % {"talk": talk}
        short = words["answered_short"] % {"talk": talk}
    return Status("answered", "ok", title, short, outcome_title)


def _outcome_title(call: Call, reader) -> str:
    outcome = call.outcome(reader)
    return str(outcome.title) if outcome else ""


def _ended(call: Call, words: dict[str, str], reader) -> Status:
    if answered(call):
        return _answered(call, words, _outcome_title(call, reader))
    outcome = call.outcome(reader)
    if outcome is None:
        return Status("ended", "unknown", words["ended"], words["ended_short"], words["ended_help"])
    title = str(outcome.title)
    tone = "warn" if outcome.fixer == "nobody" else "bad"
    return Status("not_answered", tone, title, title, reason=outcome)


def history_status(call: Call, memo: dict, now: datetime, reader=None) -> Status:
    """status_of for a history row: rows sharing a reason or an outcome decode it once (memo)."""
    if call.status == Call.Status.PLACED and not call.ended:
        return status_of(call, now, reader)  # live, lost or unfollowed: it depends on now
    key = (
        call.status,
        call.reason_source,
        call.reason_code,
        call.outcome_code,
        call.call_type,
        reader,
    )
    if call.status == Call.Status.PLACED and answered(call):
        # The talk time is each call's own; the outcome's words are decoded once per page.
        title = memo.get(("answered", key))
        if title is None:
            title = memo["answered", key] = _outcome_title(call, reader)
        return _answered(call, _translated(get_language())[0], title)
    if key not in memo:
        memo[key] = status_of(call, now, reader)
    return memo[key]
