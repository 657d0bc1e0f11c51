"""createCall (V1 and V3) retCode.

Vendor text from createCall-v3.txt Table 3; the ITA two-way call codes of Table 4 are in
create_call_ita.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .create_call_ita import ITA_REASONS
from .wording import ADMIN_THEN_PROVIDER, ANSWER_WHEN_IT_RINGS, CONSOLE_FAULT, TRY_LATER

REASONS = [
    Row(
        "0",
        title=_("Call placed"),
        explanation=Words(
            caller=_(
                "AICC accepted the call. It rings your phone first and calls the customer once "
                "you answer."
            ),
            others=_(
                "AICC accepted the call. It rings the customer manager's phone first and calls "
                "the customer once they answer."
            ),
        ),
        next_step=ANSWER_WHEN_IT_RINGS,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="The value 0 indicates success.",
    ),
    Row(
        "1",
        title=_("A call may already be in progress"),
        explanation=_(
            "AICC could not add this call. The same call may already be in progress or still "
            "being set up."
        ),
        next_step=Words(
            caller=_("Wait until the current call has ended, then try again."),
            others=_("The customer manager can call again once the current call has ended."),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.BUSY,
        vendor_msg=(
            "Failed to add the outbound call task. The same outbound call task may exist in the "
            "outbound call database."
        ),
    ),
    # The vendor text for 2 is only "Call data information."  We read it as "callData is too
    # long (over 1024 characters)", by analogy with the voice-notification retCode table
    # (aicc-api.md section 8b), which shares this code space.  The console builds callData,
    # so the console admin (not the caller) has to look at it.
    Row(
        "2",
        title=_("Call data rejected"),
        explanation=_(
            "AICC rejected the extra call data that the console sent with this call. It is "
            "probably too long."
        ),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="Call data information.",
    ),
    # "The call SN field is not queried": AICC could not allocate a serial number.  Nothing in
    # the request is at fault, so we treat it as a platform problem that may be temporary.
    Row(
        "3",
        title=_("Call could not be registered"),
        explanation=_(
            "AICC could not create a reference number for this call, so the call was not started."
        ),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="The call SN field is not queried.",
    ),
    Row(
        "5",
        title=_("Invalid phone number"),
        explanation=Words(
            caller=_(
                "AICC rejected a phone number because its format is wrong. It can be the "
                "customer's number, your own phone number, or the number shown to the customer "
                "(the display number)."
            ),
            others=_(
                "AICC rejected a phone number because its format is wrong. It can be the "
                "customer's number, the customer manager's own phone number, or the number shown "
                "to the customer (the display number)."
            ),
        ),
        next_step=Words(
            caller=_(
                "Check the customer's number and your own phone number, and correct them. If "
                "both are right, ask your console admin to check the display number."
            ),
            others=_(
                "The customer manager should check the customer's number and their own phone "
                "number, and correct them. If both are right, a console admin should check the "
                "display number."
            ),
            admin=_(
                "The customer manager should check the customer's number and their own phone "
                "number, and correct them. If both are right, check the display number in the "
                "settings."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="The format of the calling number, called number, or CLIP number is incorrect.",
    ),
    Row(
        "6",
        title=_("Call center unavailable"),
        explanation=Words(
            caller=_(
                "The virtual call center (VDN) that places calls for your organisation is "
                "unavailable or not enabled. You cannot fix this yourself."
            ),
            others=_(
                "The virtual call center (VDN) that places calls for your organisation is "
                "unavailable or not enabled. Only the AICC provider can fix this."
            ),
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="The VDN is unavailable.",
    ),
    # The softphone number range is set by operations at provisioning (aicc-api.md section 15);
    # the usual cause is a wrong softphone mapping in the console, so the admin checks first.
    Row(
        "8",
        title=Words(
            caller=_("Your phone number is not allowed"),
            others=_("The customer manager's phone number is not allowed"),
        ),
        explanation=Words(
            caller=_(
                "The phone number assigned to you in the console is not in the range of "
                "softphone numbers that AICC allocated to your organisation."
            ),
            others=_(
                "The phone number assigned to the customer manager in the console is not in the "
                "range of softphone numbers that AICC allocated to your organisation."
            ),
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the softphone number assigned to you. If it is "
                "right, the admin can ask the AICC provider to extend the number range."
            ),
            others=_(
                "A console admin should check the softphone number assigned to the customer "
                "manager. If it is right, the admin can ask the AICC provider to extend the "
                "number range."
            ),
            admin=_(
                "Check the softphone number assigned to the customer manager on the Softphones "
                "page. If it is right, ask the AICC provider to extend the number range."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg=(
            "The calling number is not in the softphone number range used by the mobile agent "
            "assigned by the tenant."
        ),
    ),
    Row(
        "16",
        title=Words(
            caller=_("Your number is not on the trial trustlist"),
            others=_("The customer manager's number is not on the trial trustlist"),
        ),
        explanation=Words(
            caller=_(
                "Your organisation uses a trial AICC account, which can only call from phone "
                "numbers on its trustlist. Your number is not on it."
            ),
            others=_(
                "Your organisation uses a trial AICC account, which can only call from phone "
                "numbers on its trustlist. The customer manager's number is not on it."
            ),
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to add your number to the trustlist, or to upgrade the "
                "account to a commercial one."
            ),
            others=_(
                "A console admin should add the customer manager's number to the trustlist, or "
                "upgrade the account to a commercial one."
            ),
            admin=_(
                "Add the customer manager's number to the trustlist, or upgrade the account to a "
                "commercial one."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="The agent-side number of the trial tenant is not in the trustlist.",
    ),
    Row(
        "21",
        title=_("Daily trial limit reached"),
        explanation=_(
            "Your organisation uses a trial AICC account, which allows only 10 calls per day. "
            "That limit has been reached today."
        ),
        next_step=Words(
            caller=_(
                "Try again tomorrow, or ask your console admin to upgrade the account to a "
                "commercial one."
            ),
            others=_(
                "Calls work again tomorrow. A console admin can upgrade the account to a "
                "commercial one."
            ),
            admin=_("Calls work again tomorrow, or upgrade the account to a commercial one."),
        ),
        fixer=Fixer.ADMIN,
        retry=True,
        group=Group.SETTINGS,
        vendor_msg=(
            "The number of one-click bidirectional calls of the trial tenant exceeds the upper "
            "limit 10 per day."
        ),
    ),
    *ITA_REASONS,
]

FALLBACK = Row(
    title=_("AICC returned code {code}"),
    explanation=_(
        "AICC did not place the call and returned code {code}, which this console does not "
        "recognise."
    ),
    next_step=Words(
        caller=_(
            "Tell your console admin the code, so that they can check it with the AICC provider."
        ),
        others=_("A console admin should check the code with the AICC provider."),
        admin=_("Check the code with the AICC provider."),
    ),
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)
