"""retCodes of the query interfaces.

queryCallState, queryCallDetailRecord, queryPhone and getRecordingAddress: each has its own
table and its own fallback for unknown codes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import ADMIN_THEN_PROVIDER, CONSOLE_FAULT, NOTHING_TO_DO, TRY_LATER

# --------------------------------------------------------------------------------------------
# queryCallState retCode (aicc-api.md section 5).
# --------------------------------------------------------------------------------------------

QUERY_CALL_STATE = [
    Row(
        "0",
        title=_("Call status received"),
        explanation=_("AICC returned the current status of the call."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="Success",
    ),
    Row(
        "1",
        title=_("Call status not available"),
        explanation=_(
            "AICC could not return the status of this call right now. The call itself is not "
            "affected."
        ),
        next_step=_("Refresh again in a moment."),
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Status query failed",
    ),
    Row(
        "3",
        title=_("Invalid call reference"),
        explanation=_(
            "AICC did not accept the call's reference number, so its status cannot be looked "
            "up. The call itself may still have taken place."
        ),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="callSerialNo format invalid",
    ),
]

QUERY_CALL_STATE_FALLBACK = Row(
    title=_("Call status query returned code {code}"),
    explanation=_("AICC could not return the call status and returned code {code}."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)

# --------------------------------------------------------------------------------------------
# queryCallDetailRecord retCode (aicc-api.md section 4.3).
# --------------------------------------------------------------------------------------------

QUERY_CALL_DETAIL_RECORD = [
    Row(
        "0",
        title=_("Call history received"),
        explanation=_("AICC returned the call records."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="Query call detail record successfully",
    ),
    # Not an error: AICC reports an empty result as retCode 1.  Records can appear a few
    # minutes after a call ends, so asking again later may return them.
    Row(
        "1",
        title=_("No calls found"),
        explanation=_("AICC has no call records for this period."),
        next_step=_("Nothing to do. If a call ended only just now, check again in a few minutes."),
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.OK,
        vendor_msg="No data found",
    ),
    Row(
        "2",
        title=_("Invalid time range"),
        explanation=_("AICC rejected the start or end time of the call history query."),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="start/end time format invalid",
    ),
    Row(
        "4",
        title=_("Invalid page settings"),
        explanation=_("AICC rejected the page size or position of the call history query."),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="limit/offset format invalid",
    ),
    Row(
        "12",
        title=_("Calling number not available"),
        explanation=_("The phone number used to filter the call history is not available in AICC."),
        next_step=Words(
            caller=_(
                "Check the phone number in the filter. If it is right, ask your console admin to "
                "check the softphone numbers assigned in the console."
            ),
            others=_(
                "Check the phone number in the filter. If it is right, a console admin should "
                "check the softphone numbers assigned in the console."
            ),
            admin=_(
                "Check the phone number in the filter. If it is right, check the softphone "
                "numbers on the Softphones page."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Calling number unavailable",
    ),
]

QUERY_CALL_DETAIL_RECORD_FALLBACK = Row(
    title=_("Call history query returned code {code}"),
    explanation=_("AICC could not return the call history and returned code {code}."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)

# --------------------------------------------------------------------------------------------
# queryPhone (V1 and V2) retCode (aicc-api.md section 7).  Mostly seen by the console admin.
# --------------------------------------------------------------------------------------------

QUERY_PHONE = [
    Row(
        "0",
        title=_("Softphone numbers received"),
        explanation=_("AICC returned the softphone numbers allocated to your organisation."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="Success",
    ),
    Row(
        "1",
        title=_("Softphone query failed"),
        explanation=_("AICC could not list the softphone numbers allocated to your organisation."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Query failed",
    ),
    Row(
        "2",
        title=_("No softphone information"),
        explanation=_(
            "AICC has no mobile agent (softphone) information for your organisation. The "
            "feature may not be set up yet."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Mobile agent information is empty",
    ),
    Row(
        "3",
        title=_("Softphone server not configured"),
        explanation=_(
            "AICC has no address or port of the softphone registration server for your "
            "organisation."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Registration server address or port is empty",
    ),
    Row(
        "4",
        title=_("Invalid page settings"),
        explanation=_(
            "AICC rejected the softphone query because the page size or position was empty."
        ),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="limit or offset is empty",
    ),
    Row(
        "5",
        title=_("Call center information missing"),
        explanation=_("AICC has no virtual call center (VDN) information for your organisation."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="VDN information is empty",
    ),
]

QUERY_PHONE_FALLBACK = Row(
    title=_("Softphone query returned code {code}"),
    explanation=_("AICC could not list the softphone numbers and returned code {code}."),
    next_step=ADMIN_THEN_PROVIDER,
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)

# --------------------------------------------------------------------------------------------
# getRecordingAddress retCode (aicc-api.md section 6).  retCode is a JSON number here.
# --------------------------------------------------------------------------------------------

GET_RECORDING_ADDRESS = [
    Row(
        "0",
        title=_("Recording ready"),
        explanation=_("AICC returned a link to the recording. The link works for 5 minutes."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
        vendor_msg="Success",
    ),
    Row(
        "1",
        title=_("Recording upload failed"),
        explanation=_("AICC could not copy the recording to its storage."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Upload to OBS failed",
    ),
    Row(
        "3",
        title=_("Call center unavailable"),
        explanation=_("The virtual call center (VDN) that holds the recording is unavailable."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="VDN/VCC unavailable",
    ),
    # "No matching history record": either the call was never connected (nothing recorded)
    # or AICC has not written the record yet, so asking again later may work.
    Row(
        "5",
        title=_("No recording found"),
        explanation=_(
            "AICC has no recording for this call. Calls that were never answered have no "
            "recording, and a new recording can take a few minutes to appear."
        ),
        next_step=_("If the call ended only just now, try again in a few minutes."),
        fixer=Fixer.NOBODY,
        retry=True,
        group=Group.OK,
        vendor_msg="No matching history record",
    ),
    Row(
        "6",
        title=_("Call center not found"),
        explanation=_(
            "The virtual call center (VDN) that should hold the recording does not exist."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="VDN/VCC does not exist",
    ),
    Row(
        "7",
        title=_("Recording storage not configured"),
        explanation=_("AICC has no settings for the server where recordings are stored."),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="SFTP info empty",
    ),
    Row(
        "8",
        title=_("Recording storage password missing"),
        explanation=_(
            "AICC has no user name or password for the server where recordings are stored."
        ),
        next_step=ADMIN_THEN_PROVIDER,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="SFTP user password empty",
    ),
    Row(
        "9",
        title=_("Recording storage unreachable"),
        explanation=_("AICC could not connect to the server where recordings are stored."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="SFTP connection failed",
    ),
    Row(
        "10",
        title=_("Recording could not be prepared"),
        explanation=_("AICC could not get a temporary folder to prepare the recording."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Could not obtain temp path",
    ),
    Row(
        "11",
        title=_("Recording download failed"),
        explanation=_("AICC could not fetch the recording from its media server."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Download from UAP failed",
    ),
    Row(
        "12",
        title=_("Invalid call reference"),
        explanation=_("AICC rejected the call's reference number because it is too long."),
        next_step=CONSOLE_FAULT,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        vendor_msg="callSerialNo longer than 50 chars",
    ),
    Row(
        "13",
        title=_("Recording too large"),
        explanation=_("The recording is larger than AICC allows for download."),
        next_step=Words(
            caller=_("Ask your console admin to get the recording from the AICC provider."),
            others=_("A console admin can get the recording from the AICC provider."),
            admin=_("Get the recording from the AICC provider."),
        ),
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        vendor_msg="Recording file exceeds size limit",
    ),
]

GET_RECORDING_ADDRESS_FALLBACK = Row(
    title=_("Recording request returned code {code}"),
    explanation=_("AICC could not return the recording and returned code {code}."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)
