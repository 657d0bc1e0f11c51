"""Console, guardrails: the tenant's own rules refused the call before anything was sent (the
pre-flight, guardrails/preflight.py). Source "console", like the console's other refusals.

The figures of a refusal (how many calls, when calling opens, the do-not-call entry's reason) are
in the call's stored detail and on the call form; these words say what the rule is, what to do
and who can change it. Someone whose role the tenant allows may call anyway with a typed reason.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words

REASONS = [
    Row(
        "do_not_call",
        title=_("Refused by the console: the number is on the do-not-call list"),
        explanation=_(
            "The tenant's do-not-call list holds this number (the entry says why, and until when "
            "if it expires), so the console does not call it. Nothing was sent to AICC."
        ),
        next_step=Words(
            caller=_(
                "Do not call this customer. If they asked to be called again, a supervisor or "
                "admin takes the number off the do-not-call list."
            ),
            others=_(
                "The customer manager should not call this customer. If the customer asked to be "
                "called again, a supervisor or admin takes the number off the do-not-call list."
            ),
            admin=_(
                "The customer manager should not call this customer. If the customer asked to be "
                "called again, take the number off the do-not-call list (Settings → Do-not-call)."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.GUARDRAIL,
    ),
    Row(
        "outside_hours",
        title=_("Refused by the console: outside calling hours"),
        explanation=_(
            "It is outside the tenant's calling hours in the customer's local time (from their "
            "number's time zone, else the tenant's). Nothing was sent to AICC."
        ),
        next_step=Words(
            caller=_(
                "Call when calling opens: the call form says when, in the customer's time and "
                "yours."
            ),
            others=_("The customer manager should call when calling opens for the customer."),
            admin=_(
                "The customer manager should call when calling opens for the customer. The hours "
                "are set on Settings → Guardrails."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.GUARDRAIL,
    ),
    Row(
        "holiday",
        title=_("Refused by the console: a holiday for the customer"),
        explanation=_(
            "Today is on the tenant's holiday calendar in the customer's local time, and the "
            "tenant does not call customers on holidays. Nothing was sent to AICC."
        ),
        next_step=Words(
            caller=_("Call when calling opens after the holiday: the call form says when."),
            others=_("The customer manager should call when calling opens after the holiday."),
            admin=_(
                "The customer manager should call when calling opens after the holiday. The "
                "holidays are set on Settings → Guardrails."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.GUARDRAIL,
    ),
    Row(
        "day_cap",
        title=_("Refused by the console: this customer was called enough today"),
        explanation=_(
            "The tenant allows a limited number of calls a day to one customer, whoever calls, "
            "and the calls placed today reached it. Nothing was sent to AICC."
        ),
        next_step=Words(
            caller=_("Call tomorrow: the call form says when calling opens."),
            others=_("The customer manager should call the customer again tomorrow."),
            admin=_(
                "The customer manager should call the customer again tomorrow. The limit is set "
                "on Settings → Guardrails."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.GUARDRAIL,
    ),
    Row(
        "week_cap",
        title=_("Refused by the console: this customer was called enough this week"),
        explanation=_(
            "The tenant allows a limited number of calls a week (Monday to Sunday) to one "
            "customer, whoever calls, and the calls placed this week reached it. Nothing was "
            "sent to AICC."
        ),
        next_step=Words(
            caller=_("Call next week: the call form says when calling opens."),
            others=_("The customer manager should call the customer again next week."),
            admin=_(
                "The customer manager should call the customer again next week. The limit is set "
                "on Settings → Guardrails."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.GUARDRAIL,
    ),
]
