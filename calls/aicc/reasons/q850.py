"""outcome_ita: reasonCode of an ITA two-way call, an ITU-T Q.850 cause value.

ITA reports Q.850 cause values (aicc-api.md section 4.2); Huawei's full table was not
retrieved, so vendor_msg holds the standard Q.850 cause name and the plain wording is ours.
0 is Huawei's "not applicable".  A Q.850 cause does not say which leg failed, so the texts
speak of "the phone called".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import ADMIN_THEN_PROVIDER, CUSTOMER_UNREACHABLE_NEXT, NOTHING_TO_DO, TRY_LATER

_TRY_LATER_SIMPLE = Words(
    caller=_("Try again later."), others=_("The customer manager can call again later.")
)
_CHECK_NUMBER_Q850 = Words(
    caller=_(
        "Check the customer's number, including any area or country code. If your own phone "
        "never rang, ask your console admin to check your number."
    ),
    others=_(
        "The customer manager should check the customer's number, including any area or country "
        "code. If their own phone never rang, a console admin should check their number."
    ),
    admin=_(
        "The customer manager should check the customer's number, including any area or country "
        "code. If their own phone never rang, check their number on the Softphones page."
    ),
)
_NETWORK_TRY_LATER = Words(
    caller=_(
        "Try again in a few minutes. If it keeps happening, tell your console admin so the AICC "
        "provider can look into it."
    ),
    others=_(
        "The customer manager can call again in a few minutes. If it keeps happening, a console "
        "admin should ask the AICC provider to look into it."
    ),
    admin=_(
        "The customer manager can call again in a few minutes. If it keeps happening, ask the "
        "AICC provider to look into it."
    ),
)
_ANOTHER_WAY = Words(
    caller=_("Contact the customer another way."),
    others=_("The customer manager can contact the customer another way."),
)

REASONS = [
    Row(
        "0",
        title=_("No cause reported"),
        explanation=_("The phone network did not report why the call ended."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Not applicable",
    ),
    Row(
        "1",
        title=_("Number does not exist"),
        explanation=_("The phone network says that the number called does not exist."),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Unallocated (unassigned) number",
    ),
    Row(
        "2",
        title=_("Network of the number not reachable"),
        explanation=_(
            "The phone network could not find a route to the network of the number called."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="No route to specified transit network",
    ),
    Row(
        "3",
        title=_("Number not reachable"),
        explanation=_(
            "The phone network has no route to the number called. It may be wrong or incomplete."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="No route to destination",
    ),
    Row(
        "4",
        title=_("Number cannot be reached"),
        explanation=_(
            "The phone network played a special information tone: the number called cannot be "
            "reached, for example because it is out of service."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Send special information tone",
    ),
    Row(
        "5",
        title=_("Wrong number prefix"),
        explanation=_(
            "The number was dialled with a wrong prefix, for example an extra leading zero."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Misdialled trunk prefix",
    ),
    Row(
        "6",
        title=_("Line not usable"),
        explanation=_("The phone network could not use the line offered for this call."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Channel unacceptable",
    ),
    Row(
        "7",
        title=_("Call delivered on an existing line"),
        explanation=_("The phone network connected the call over a line that was already set up."),
        next_step=Words(
            caller=_("Nothing to do. If the call did not work, try again."),
            others=_(
                "Nothing to do. If the call did not work, the customer manager can call again."
            ),
        ),
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.ENDED,
        vendor_msg="Call awarded and being delivered in an established channel",
    ),
    Row(
        "8",
        title=_("Call cut off for a priority call"),
        explanation=_(
            "The phone network ended the call to free the line for a higher-priority call."
        ),
        next_step=_TRY_LATER_SIMPLE,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Preemption",
    ),
    Row(
        "9",
        title=_("Line reserved for another call"),
        explanation=_(
            "The phone network ended the call because the line was reserved for another call."
        ),
        next_step=_TRY_LATER_SIMPLE,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Preemption - circuit reserved for reuse",
    ),
    Row(
        "16",
        title=_("Call ended normally"),
        explanation=_("The call ended normally when one of the two people hung up."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Normal call clearing",
    ),
    Row(
        "17",
        title=_("Line busy"),
        explanation=_("The phone called was busy."),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="User busy",
    ),
    Row(
        "18",
        title=_("No response from the phone"),
        explanation=_(
            "The phone called did not respond. It may be switched off or without signal."
        ),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="No user responding",
    ),
    Row(
        "19",
        title=_("No answer"),
        explanation=_("The phone rang, but nobody answered."),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="No answer from user (user alerted)",
    ),
    Row(
        "20",
        title=_("Phone unavailable"),
        explanation=_(
            "The phone called is switched off, without signal or not connected to the network."
        ),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="Subscriber absent",
    ),
    Row(
        "21",
        title=_("Call rejected"),
        explanation=_("The call was rejected, for example because the person declined it."),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="Call rejected",
    ),
    Row(
        "22",
        title=_("Number has changed"),
        explanation=_("The number called is no longer in use because its owner changed it."),
        next_step=Words(
            caller=_("Find the customer's new number and update it, then call again."),
            others=_(
                "The customer manager should find the customer's new number and update it, then "
                "call again."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Number changed",
    ),
    Row(
        "26",
        title=_("Answered elsewhere"),
        explanation=_("The call was answered on another device, so this one stopped ringing."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Non-selected user clearing",
    ),
    Row(
        "27",
        title=_("Phone line out of order"),
        explanation=_("The phone called cannot be reached because its line is out of order."),
        next_step=CUSTOMER_UNREACHABLE_NEXT,
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.NO_ANSWER,
        vendor_msg="Destination out of order",
    ),
    Row(
        "28",
        title=_("Invalid or incomplete number"),
        explanation=_("The number called has a wrong format or is incomplete."),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Invalid number format (address incomplete)",
    ),
    Row(
        "29",
        title=_("Network service refused"),
        explanation=_("The phone network refused a service that this call needed."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Facility rejected",
    ),
    Row(
        "31",
        title=_("Call ended"),
        explanation=_("The call ended normally; the phone network gave no more detail."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.ENDED,
        vendor_msg="Normal, unspecified",
    ),
    Row(
        "34",
        title=_("Network busy"),
        explanation=_("The phone network had no free line for this call."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="No circuit/channel available",
    ),
    Row(
        "38",
        title=_("Network out of order"),
        explanation=_("The phone network was out of order."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Network out of order",
    ),
    Row(
        "41",
        title=_("Temporary network failure"),
        explanation=_("The phone network had a temporary failure."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Temporary failure",
    ),
    Row(
        "42",
        title=_("Network congested"),
        explanation=_("The phone network was overloaded."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Switching equipment congestion",
    ),
    Row(
        "44",
        title=_("Requested line not available"),
        explanation=_("The line the phone network wanted to use for this call was not available."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Requested circuit/channel not available",
    ),
    Row(
        "47",
        title=_("Network resources unavailable"),
        explanation=_("The phone network did not have the resources to connect this call."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Resource unavailable, unspecified",
    ),
    Row(
        "50",
        title=_("Service not subscribed"),
        explanation=_(
            "This call needs a network service that your organisation's line does not have."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Requested facility not subscribed",
    ),
    Row(
        "55",
        title=_("Incoming calls barred"),
        explanation=_("The phone called does not accept calls from this line."),
        next_step=_ANOTHER_WAY,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Incoming calls barred within CUG",
    ),
    Row(
        "57",
        title=_("Call type not allowed"),
        explanation=_("The line is not allowed to make this type of call."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Bearer capability not authorized",
    ),
    Row(
        "58",
        title=_("Call type temporarily unavailable"),
        explanation=_("The phone network cannot handle this type of call at the moment."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Bearer capability not presently available",
    ),
    Row(
        "63",
        title=_("Network service not available"),
        explanation=_("A network service that this call needed is not available."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Service or option not available, unspecified",
    ),
    Row(
        "65",
        title=_("Call type not supported"),
        explanation=_("The phone network does not support this type of call."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Bearer capability not implemented",
    ),
    Row(
        "69",
        title=_("Network service not supported"),
        explanation=_("The phone network does not support a service that this call needed."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Requested facility not implemented",
    ),
    Row(
        "79",
        title=_("Network option not supported"),
        explanation=_("The phone network does not support an option that this call needed."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Service or option not implemented, unspecified",
    ),
    Row(
        "87",
        title=_("Calls limited to a closed group"),
        explanation=_(
            "The phone called only accepts calls from members of a closed group of lines."
        ),
        next_step=_ANOTHER_WAY,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="User not member of CUG",
    ),
    Row(
        "88",
        title=_("Phone cannot take this call"),
        explanation=_(
            "The number called cannot take this type of call; it may be a fax or data line "
            "rather than a phone."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
        vendor_msg="Incompatible destination",
    ),
    Row(
        "95",
        title=_("Network signalling error"),
        explanation=_("The phone network received an invalid message while setting up the call."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Invalid message, unspecified",
    ),
    Row(
        "96",
        title=_("Network signalling error: missing information"),
        explanation=_("A message in the phone network lacked information that is required."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        vendor_msg="Mandatory information element is missing",
    ),
    Row(
        "97",
        title=_("Network signalling error: unknown message"),
        explanation=_("The phone network received a message type it does not know."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        vendor_msg="Message type non-existent or not implemented",
    ),
    Row(
        "99",
        title=_("Network signalling error: unknown information"),
        explanation=_("The phone network received information it does not know."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        vendor_msg="Information element / parameter non-existent or not implemented",
    ),
    # In practice 100 is also what some networks send for a badly formatted number.
    Row(
        "100",
        title=_("Network signalling error: invalid information"),
        explanation=_(
            "The phone network received information with invalid content. A badly formatted "
            "number can cause this."
        ),
        next_step=_CHECK_NUMBER_Q850,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        vendor_msg="Invalid information element contents",
    ),
    Row(
        "102",
        title=_("Network timed out"),
        explanation=_("The phone network gave up waiting for a step of the call set-up."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Recovery on timer expiry",
    ),
    Row(
        "111",
        title=_("Network protocol error"),
        explanation=_("The phone network had a protocol error while handling the call."),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Protocol error, unspecified",
    ),
    Row(
        "127",
        title=_("Error between networks"),
        explanation=_(
            "The call failed while passing between two phone networks, without more detail."
        ),
        next_step=_NETWORK_TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.NETWORK,
        vendor_msg="Interworking, unspecified",
    ),
]

FALLBACK = Row(
    title=_("Other cause (code {code})"),
    explanation=_(
        "The call ended with network cause code {code}, which this console does not know."
    ),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=True,
    group=Group.PROVIDER,
)
