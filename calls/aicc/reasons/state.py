"""state: call state from queryCallState / queryCallDetailRecord.

The title is the display label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import ANSWER_WHEN_IT_RINGS, NOTHING_TO_DO

REASONS = [
    Row(
        "0",
        title=_("Waiting to be called"),
        explanation=Words(
            caller=_("AICC has accepted the call and will ring your phone shortly."),
            others=_(
                "AICC has accepted the call and will ring the customer manager's phone shortly."
            ),
        ),
        next_step=Words(caller=_("Wait for your phone to ring."), others=NOTHING_TO_DO),
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="waiting to be called",
    ),
    Row(
        "1",
        title=_("Calling"),
        explanation=Words(
            caller=_("AICC is ringing your phone or the customer's phone."),
            others=_("AICC is ringing the customer manager's phone or the customer's phone."),
        ),
        next_step=ANSWER_WHEN_IT_RINGS,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="calling",
    ),
    Row(
        "2",
        title=_("In conversation"),
        explanation=_("The call is connected."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="in conversation",
    ),
    Row(
        "3",
        title=_("Ended"),
        explanation=_("The call has ended."),
        next_step=_("See the outcome for how the call ended."),
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="ended",
    ),
]

FALLBACK = Row(
    title=_("Unknown state ({code})"),
    explanation=_("AICC reported a call state this console does not know ({code})."),
    next_step=_("Refresh the page later to see the current state."),
    fixer=Fixer.NOBODY,
    retry=False,
    group=Group.OK,
)
