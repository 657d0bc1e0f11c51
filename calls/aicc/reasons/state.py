"""state: call state from queryCallState / queryCallDetailRecord.

The title is the display label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Row
from .wording import NOTHING_TO_DO

REASONS = [
    Row(
        "0",
        title=_("Waiting to be called"),
        explanation=_("AICC has accepted the call and will ring your phone shortly."),
        next_step=_("Wait for your phone to ring."),
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="waiting to be called",
    ),
    Row(
        "1",
        title=_("Calling"),
        explanation=_("AICC is ringing your phone or the customer's phone."),
        next_step=_("Answer your phone when it rings."),
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="calling",
    ),
    Row(
        "2",
        title=_("In conversation"),
        explanation=_("The call is connected."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="in conversation",
    ),
    Row(
        "3",
        title=_("Ended"),
        explanation=_("The call has ended."),
        next_step=_("See the outcome for how the call ended."),
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="ended",
    ),
]

FALLBACK = Row(
    title=_("Unknown state ({code})"),
    explanation=_("AICC reported a call state this console does not know ({code})."),
    next_step=_("Refresh the page later to see the current state."),
    fixer=Fixer.NOBODY,
    retry=False,
)
