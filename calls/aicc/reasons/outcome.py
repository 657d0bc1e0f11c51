"""outcome: reasonCode of an AICC two-way call (aicc-api.md section 4.1).

The "calling party" is the customer manager's leg (rung first), the "called party" is the
customer. retry here means: calling again later could reach the person.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import CUSTOMER_UNREACHABLE_NEXT, NOTHING_TO_DO, TRY_LATER

REASONS = [
    Row(
        "0",
        title=_("The customer hung up"),
        explanation=_("The call ended normally when the customer hung up."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Call ended, called party hung up",
    ),
    Row(
        "1",
        title=Words(caller=_("You hung up"), others=_("The customer manager hung up")),
        explanation=Words(
            caller=_(
                "The call ended when you hung up. If you hung up before the customer answered, "
                "the customer was not reached."
            ),
            others=_(
                "The call ended when the customer manager hung up. If they hung up before the "
                "customer answered, the customer was not reached."
            ),
        ),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Call ended, calling party hung up",
    ),
    Row(
        "2",
        title=Words(
            caller=_("Your phone could not be reached"),
            others=_("The customer manager's phone could not be reached"),
        ),
        explanation=Words(
            caller=_(
                "AICC could not ring your phone. It may be switched off, busy or without "
                "signal, or your softphone app may not be signed in. The customer was not "
                "called."
            ),
            others=_(
                "AICC could not ring the customer manager's phone. It may be switched off, busy "
                "or without signal, or their softphone app may not be signed in. The customer "
                "was not called."
            ),
        ),
        next_step=Words(
            caller=_(
                "Check that your phone is on and has signal, or that your softphone app is "
                "signed in, then call again. If it keeps happening, ask your console admin to "
                "check your phone number in the console."
            ),
            others=_(
                "The customer manager should check that their phone is on and has signal, or "
                "that their softphone app is signed in, then call again. If it keeps happening, "
                "a console admin should check their phone number in the console."
            ),
            admin=_(
                "The customer manager should check that their phone is on and has signal, or "
                "that their softphone app is signed in, then call again. If it keeps happening, "
                "check their phone number on the Softphones page."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.CALLER_PHONE,
        vendor_msg="Outbound leg to the calling party failed",
    ),
    Row(
        "3",
        title=_("The customer's phone could not be reached"),
        explanation=_(
            "AICC could not reach the customer's phone. It may be switched off, busy or without "
            "signal, or the number may be wrong."
        ),
        next_step=Words(
            caller=_("Check the customer's number, then try again later."),
            others=_(
                "The customer manager should check the customer's number, then call again later."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="Outbound leg to the called party failed",
    ),
    Row(
        "4",
        title=Words(
            caller=_("You did not answer your phone"),
            others=_("The customer manager did not answer their phone"),
        ),
        explanation=Words(
            caller=_(
                "AICC rang your phone first, but it was not answered, so the customer was not "
                "called."
            ),
            others=_(
                "AICC rang the customer manager's phone first, but it was not answered, so the "
                "customer was not called."
            ),
        ),
        next_step=Words(
            caller=_("Call again and answer your phone when it rings."),
            others=_("The customer manager can call again and answer their phone when it rings."),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.CALLER_PHONE,
        vendor_msg="Calling party did not answer",
    ),
    Row(
        "5",
        title=_("The customer did not answer"),
        explanation=Words(
            caller=_("You answered, and AICC rang the customer, but the customer did not answer."),
            others=_(
                "The customer manager answered, and AICC rang the customer, but the customer "
                "did not answer."
            ),
        ),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="Called party did not answer",
    ),
    Row(
        "6",
        title=_("The call could not be started"),
        explanation=_("AICC could not start the call. Neither phone was rung."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
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
    group=Group.PROVIDER,
)
