"""createCall retCode of an ITA two-way call: createCall-v3.txt Table 4.

vendor_msg is the documented retMsg.  Who fixes what is our reading: ITA keys and balance are
tenant business (admin); number binding, number pool and platform faults are the provider's.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import ADMIN_THEN_PROVIDER, CHECK_BEFORE_RECALL, TRY_LATER

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

ITA_REASONS = [
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
