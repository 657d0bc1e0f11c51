"""outcome: reasonCode of an AICC two-way call (aicc-api.md section 4.1).

The "calling party" is the customer manager's leg (rung first), the "called party" is the
customer. retry here means: calling again later could reach the person.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Row
from .wording import CUSTOMER_UNREACHABLE_NEXT, NOTHING_TO_DO, TRY_LATER

REASONS = [
    Row(
        "0",
        title=_("The customer hung up"),
        explanation=_("The call ended normally when the customer hung up."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="Call ended, called party hung up",
    ),
    Row(
        "1",
        title=_("You hung up"),
        explanation=_(
            "The call ended when you hung up. If you hung up before the customer answered, the "
            "customer was not reached."
        ),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        vendor_msg="Call ended, calling party hung up",
    ),
    Row(
        "2",
        title=_("Your phone could not be reached"),
        explanation=_(
            "AICC could not ring your phone. It may be switched off, busy or without signal, or "
            "your softphone app may not be signed in. The customer was not called."
        ),
        next_step=_(
            "Check that your phone is on and has signal, or that your softphone app is signed "
            "in, then call again. If it keeps happening, ask your console admin to check your "
            "phone number in the console."
        ),
        fixer=Fixer.CALLER,
        retry=True,
        vendor_msg="Outbound leg to the calling party failed",
    ),
    Row(
        "3",
        title=_("The customer's phone could not be reached"),
        explanation=_(
            "AICC could not reach the customer's phone. It may be switched off, busy or without "
            "signal, or the number may be wrong."
        ),
        next_step=_("Check the customer's number, then try again later."),
        fixer=Fixer.CALLER,
        retry=True,
        vendor_msg="Outbound leg to the called party failed",
    ),
    Row(
        "4",
        title=_("You did not answer your phone"),
        explanation=_(
            "AICC rang your phone first, but it was not answered, so the customer was not called."
        ),
        next_step=_("Call again and answer your phone when it rings."),
        fixer=Fixer.CALLER,
        retry=True,
        vendor_msg="Calling party did not answer",
    ),
    Row(
        "5",
        title=_("The customer did not answer"),
        explanation=_("You answered, and AICC rang the customer, but the customer did not answer."),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        vendor_msg="Called party did not answer",
    ),
    Row(
        "6",
        title=_("The call could not be started"),
        explanation=_("AICC could not start the call. Neither phone was rung."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        vendor_msg="Call could not be started",
    ),
]

# aicc-api.md section 4.1: "other = other exception".  Calling again may well work.
FALLBACK = Row(
    title=_("Other exception (code {code})"),
    explanation=_("The call ended because of an exception in AICC (code {code})."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=True,
)
