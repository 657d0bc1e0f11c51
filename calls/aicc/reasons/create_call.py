"""createCall (V1 and V3) retCode.

Vendor text from createCall-v3.txt Table 3 and Table 4.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import (
    ADMIN_THEN_PROVIDER,
    ANSWER_WHEN_IT_RINGS,
    CHECK_BEFORE_RECALL,
    CONSOLE_FAULT,
    TRY_LATER,
)

_CHECK_CUSTOMER_NUMBER = Words(
    caller=_(
        "Check the customer's number and correct it. If it is right, tell your console admin."
    ),
    others=_(
        "The customer manager should check the customer's number and correct it. If it is "
        "right, a console admin should ask the AICC provider to look into it."
    ),
    admin=_(
        "The customer manager should check the customer's number and correct it. If it is "
        "right, ask the AICC provider to look into it."
    ),
)

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
    # ---- ITA two-way call (Table 4).  vendor_msg is the documented retMsg. ----------------
    # Who fixes what is our reading: ITA keys and balance are tenant business (admin);
    # number binding, number pool and platform faults are the provider's.
    Row(
        "90100100",
        title=_("Call request rejected"),
        explanation=_(
            "The call service rejected the request because a value was missing or not "
            "supported. This often means a phone number is wrong, or that the console sends a "
            "setting that ITA calls do not support, such as a display number."
        ),
        next_step=Words(
            caller=_(
                "Check the customer's number and your own phone number. If they are right, tell "
                "your console admin."
            ),
            others=_(
                "The customer manager should check the customer's number and their own phone "
                "number. If they are right, a console admin should check the call settings, such "
                "as the display number."
            ),
            admin=_(
                "The customer manager should check the customer's number and their own phone "
                "number. If they are right, check the call settings, such as the display number."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Invalid Input Parameter",
    ),
    Row(
        "90100200",
        title=_("Call service sign-in failed"),
        explanation=_(
            "AICC could not sign in to the ITA call service. The ITA keys stored in AICC are "
            "probably wrong or out of date."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the ITA keys in the AICC bidirectional call "
                "settings."
            ),
            others=_(
                "A console admin should check the ITA keys in the AICC bidirectional call settings."
            ),
            admin=_("Check the ITA keys in the AICC bidirectional call settings."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Auth Failed",
    ),
    Row(
        "90100300",
        title=_("Call request rejected"),
        explanation=_("The call service rejected the request as incorrect."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Bad Request",
    ),
    Row(
        "90100400",
        title=_("Call service resource not found"),
        explanation=_("The call service could not find something it needs for this call."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Not found",
    ),
    Row(
        "90100600",
        title=_("Call service error"),
        explanation=_("The call service had an internal error. The call was not placed."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Internal Server Error",
    ),
    Row(
        "90102001",
        title=_("Account balance too low"),
        explanation=_("Your organisation's call service account has run out of balance or quota."),
        next_step=Words(
            caller=_("Ask your console admin to top up the account with the AICC provider."),
            others=_("A console admin should top up the account with the AICC provider."),
            admin=_("Top up the account with the AICC provider."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Insufficient Balance",
    ),
    Row(
        "90102002",
        title=_("Calls are restricted"),
        explanation=_("The call service is currently restricting requests from your organisation."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Request Restriction",
    ),
    Row(
        "90104001",
        title=_("No permission to call"),
        explanation=_(
            "Your organisation's call service account does not have permission for this call."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Insufficient Permission",
    ),
    Row(
        "90104003",
        title=_("Call forbidden"),
        explanation=_("The call service refused to place this call."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Request Forbidden",
    ),
    # Despite the retMsg, the vendor description is "not supported or implemented", i.e. a
    # missing feature, not a temporary outage.
    Row(
        "90104004",
        title=_("Feature not available"),
        explanation=_(
            "The call service does not support this function for your organisation. It may "
            "not be enabled."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Service Unavailable",
    ),
    Row(
        "90104008",
        title=_("Call service failed"),
        explanation=_("The call service timed out or failed while setting up the call."),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Service Process Failure",
    ),
    Row(
        "90104029",
        title=_("Too many calls at once"),
        explanation=_("The call service received too many requests in a short time."),
        next_step=Words(
            caller=_("Wait a minute, then try again."),
            others=_("The customer manager can call again in a minute."),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.BUSY,
        vendor_msg="Too Many Requests",
    ),
    # 9010600x: ITA two-way calls bind the two numbers through a virtual number (AXB binding).
    # "Binding already exists" most likely means a previous call between the same numbers is
    # still being released, like createCall retCode 1; we treat it the same way.
    Row(
        "90106001",
        title=_("A call to this customer may still be in progress"),
        explanation=Words(
            caller=_(
                "The call service still holds a link between your number and the customer's "
                "number, usually because a previous call between them has not fully ended."
            ),
            others=_(
                "The call service still holds a link between the customer manager's number and "
                "the customer's number, usually because a previous call between them has not "
                "fully ended."
            ),
        ),
        next_step=Words(
            caller=_("Wait a few minutes for the previous call to end, then try again."),
            others=_(
                "The customer manager can call again in a few minutes, once the previous call "
                "has ended."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.BUSY,
        vendor_msg="Binding relationship already exists",
    ),
    Row(
        "90106002",
        title=_("Number link missing"),
        explanation=Words(
            caller=_(
                "The call service could not find the link between your number and the "
                "customer's number that it needs for this call."
            ),
            others=_(
                "The call service could not find the link between the customer manager's number "
                "and the customer's number that it needs for this call."
            ),
        ),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Binding relationship not exists",
    ),
    Row(
        "90106003",
        title=_("No free connecting numbers"),
        explanation=Words(
            caller=_(
                "The call service has run out of the intermediate numbers it uses to connect "
                "you with customers."
            ),
            others=_(
                "The call service has run out of the intermediate numbers it uses to connect "
                "customer managers with customers."
            ),
        ),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Insufficient Number resources",
    ),
    Row(
        "90106004",
        title=_("No connecting number available"),
        explanation=_("The call service could not find a number available to connect this call."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="No corresponding number found",
    ),
    Row(
        "90106005",
        title=_("Number link data inconsistent"),
        explanation=_(
            "The call service found inconsistent data about the numbers linked for this call."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Inconsistent binding data",
    ),
    Row(
        "90106006",
        title=_("Number problem"),
        explanation=_(
            "The call service could not place the call because of a problem with the numbers."
        ),
        next_step=_CHECK_CUSTOMER_NUMBER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Other Error",
    ),
    Row(
        "90106010",
        title=_("Blocked by a calling policy"),
        explanation=_("The call service blocked this call because of a calling policy."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Policy Forbid",
    ),
    Row(
        "90106011",
        title=Words(
            caller=_("Your number is restricted"),
            others=_("The customer manager's number is restricted"),
        ),
        explanation=Words(
            caller=_(
                "The call service does not allow calls from the phone number assigned to you."
            ),
            others=_(
                "The call service does not allow calls from the phone number assigned to the "
                "customer manager."
            ),
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the phone number assigned to you. The admin may "
                "need the AICC provider to lift the restriction."
            ),
            others=_(
                "A console admin should check the phone number assigned to the customer manager. "
                "The admin may need the AICC provider to lift the restriction."
            ),
            admin=_(
                "Check the phone number assigned to the customer manager on the Softphones page. "
                "The AICC provider may need to lift the restriction."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Caller Forbid",
    ),
    Row(
        "90106012",
        title=_("Customer's number is restricted"),
        explanation=_("The call service does not allow calls to this customer's number."),
        next_step=Words(
            caller=_(
                "Check the customer's number. If it is right, this number cannot be called from "
                "the console; contact the customer another way."
            ),
            others=_(
                "The customer manager should check the customer's number. If it is right, this "
                "number cannot be called from the console; the customer has to be contacted "
                "another way."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Callee forbid",
    ),
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
