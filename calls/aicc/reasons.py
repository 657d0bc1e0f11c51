"""The one catalogue of decoded AICC reasons.

Every failure or outcome the console can see (createCall retCodes, HTTP statuses, transport
errors, token failures, query retCodes, call end reasons, call states) is decoded here into a
short title, a plain-language explanation for the customer manager who clicked, the next step,
who can fix it and whether an identical retry could succeed later.

The UI, CSV exports and the simulator all read this module.  It holds data only: no ORM, no
I/O.  Every user-facing string is wrapped in ``gettext_lazy`` (English source; a Simplified
Chinese catalogue is added later), so the catalogue can be built at import time and rendered in
the language active when it is displayed.

Sources for the codes: docs/vendor/createCall-v3.txt and docs/vendor/aicc-api.md.  Where the
vendor documentation is silent and a meaning was chosen, a comment says so.

Usage::

    reason = decode("createCall", payload.get("retCode"))
    reason.title, reason.explanation, reason.next_step, reason.fixer.label(), reason.retry
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.text import format_lazy  # lazy str.format(); documented with i18n utilities
from django.utils.translation import gettext_lazy as _

__all__ = [
    "SOURCES",
    "Fixer",
    "Reason",
    "all_reasons",
    "decode",
    "is_success",
    "normalize_code",
    "reasons_for",
]


class Fixer(StrEnum):
    """Who can fix the problem behind a reason."""

    CALLER = "caller"  # the customer manager who clicked (e.g. wrong number)
    ADMIN = (
        "admin"  # the tenant's console admin (credentials, softphone mapping, ranges, trustlist)
    )
    PROVIDER = "provider"  # the AICC provider / Huawei O&M (VDN, feature enablement, platform)
    NOBODY = "nobody"  # nothing to fix (normal outcomes)

    def label(self) -> str:
        """Translated label for the UI ("Who can fix this")."""
        return _FIXER_LABELS[self]


_FIXER_LABELS = {
    Fixer.CALLER: _("You"),
    Fixer.ADMIN: _("Your console admin"),
    Fixer.PROVIDER: _("The AICC provider"),
    Fixer.NOBODY: _("No one"),
}


@dataclass(frozen=True)
class Reason:
    """One decoded reason.  ``title``/``explanation``/``next_step`` are lazy translations."""

    source: str  # one of SOURCES (or whatever unknown source was passed to decode)
    code: str  # always a string: "5", "90100100", "401", "timeout"
    title: str
    explanation: str
    next_step: str
    fixer: Fixer
    retry: bool  # could an identical retry later succeed?
    vendor_msg: str = ""  # the vendor's own English text (retMsg / description), not translated
    known: bool = True  # False for the generic fallback of an unknown code

    @property
    def key(self) -> str:
        return f"{self.source}:{self.code}"

    # Equality and hashing use the identity of the reason, not its texts: comparing or hashing
    # lazy translations would translate them (in whatever language happens to be active).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.source, self.code, self.known) == (other.source, other.code, other.known)

    def __hash__(self) -> int:
        return hash((self.source, self.code, self.known))

    def __repr__(self) -> str:
        return (
            f"Reason({self.key!r}, fixer={self.fixer.value!r}, retry={self.retry!r}, "
            f"known={self.known!r})"
        )


# --------------------------------------------------------------------------------------------
# Shared wording (the same lazy string may be reused by several codes).
# --------------------------------------------------------------------------------------------

_NOTHING_TO_DO = _("Nothing to do.")
_TELL_ADMIN = _("Tell your console admin.")
_ADMIN_THEN_PROVIDER = _(
    "Tell your console admin. The admin should ask the AICC provider to look into it."
)
_TRY_LATER = _("Try again in a few minutes. If it keeps happening, tell your console admin.")
_TRY_LATER_SIMPLE = _("Try again later.")
_CHECK_BEFORE_RECALL = _(
    "Check your phone and the call history before calling again, so that the customer is not "
    "called twice. If it keeps happening, tell your console admin."
)
_CHECK_CUSTOMER_NUMBER = _(
    "Check the customer's number and correct it. If it is right, tell your console admin."
)
_CONSOLE_FAULT = _(
    "Tell your console admin. This points to a fault in the console, not in your data."
)
_CUSTOMER_UNREACHABLE_NEXT = _("Try again later, or contact the customer another way.")

C, A, P, N = Fixer.CALLER, Fixer.ADMIN, Fixer.PROVIDER, Fixer.NOBODY

# Each table row: (code, title, explanation, next_step, fixer, retry, vendor_msg)

# --------------------------------------------------------------------------------------------
# createCall (V1 and V3) retCode.  Vendor text from createCall-v3.txt Table 3 and Table 4.
# --------------------------------------------------------------------------------------------

_CREATE_CALL = [
    (
        "0",
        _("Call placed"),
        _(
            "AICC accepted the call. It rings your phone first and calls the customer once you "
            "answer."
        ),
        _("Answer your phone when it rings."),
        N,
        False,
        "The value 0 indicates success.",
    ),
    (
        "1",
        _("A call may already be in progress"),
        _(
            "AICC could not add this call. The same call may already be in progress or still "
            "being set up."
        ),
        _("Wait until the current call has ended, then try again."),
        C,
        True,
        "Failed to add the outbound call task. The same outbound call task may exist in the "
        "outbound call database.",
    ),
    # The vendor text for 2 is only "Call data information."  We read it as "callData is too
    # long (over 1024 characters)", by analogy with the voice-notification retCode table
    # (aicc-api.md section 8b), which shares this code space.  The console builds callData,
    # so the console admin (not the caller) has to look at it.
    (
        "2",
        _("Call data rejected"),
        _(
            "AICC rejected the extra call data that the console sent with this call. It is "
            "probably too long."
        ),
        _CONSOLE_FAULT,
        A,
        False,
        "Call data information.",
    ),
    # "The call SN field is not queried": AICC could not allocate a serial number.  Nothing in
    # the request is at fault, so we treat it as a platform problem that may be temporary.
    (
        "3",
        _("Call could not be registered"),
        _("AICC could not create a reference number for this call, so the call was not started."),
        _TRY_LATER,
        P,
        True,
        "The call SN field is not queried.",
    ),
    (
        "5",
        _("Invalid phone number"),
        _(
            "AICC rejected a phone number because its format is wrong. It can be the customer's "
            "number, your own phone number, or the number shown to the customer (the display "
            "number)."
        ),
        _(
            "Check the customer's number and your own phone number, and correct them. If both "
            "are right, ask your console admin to check the display number."
        ),
        C,
        False,
        "The format of the calling number, called number, or CLIP number is incorrect.",
    ),
    (
        "6",
        _("Call center unavailable"),
        _(
            "The virtual call center (VDN) that places calls for your organisation is "
            "unavailable or not enabled. You cannot fix this yourself."
        ),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "The VDN is unavailable.",
    ),
    # The softphone number range is set by operations at provisioning (aicc-api.md section 15);
    # the usual cause is a wrong softphone mapping in the console, so the admin checks first.
    (
        "8",
        _("Your phone number is not allowed"),
        _(
            "The phone number assigned to you in the console is not in the range of softphone "
            "numbers that AICC allocated to your organisation."
        ),
        _(
            "Ask your console admin to check the softphone number assigned to you. If it is "
            "right, the admin can ask the AICC provider to extend the number range."
        ),
        A,
        False,
        "The calling number is not in the softphone number range used by the mobile agent "
        "assigned by the tenant.",
    ),
    (
        "16",
        _("Your number is not on the trial trustlist"),
        _(
            "Your organisation uses a trial AICC account, which can only call from phone "
            "numbers on its trustlist. Your number is not on it."
        ),
        _(
            "Ask your console admin to add your number to the trustlist, or to upgrade the "
            "account to a commercial one."
        ),
        A,
        False,
        "The agent-side number of the trial tenant is not in the trustlist.",
    ),
    (
        "21",
        _("Daily trial limit reached"),
        _(
            "Your organisation uses a trial AICC account, which allows only 10 calls per day. "
            "That limit has been reached today."
        ),
        _(
            "Try again tomorrow, or ask your console admin to upgrade the account to a "
            "commercial one."
        ),
        A,
        True,
        "The number of one-click bidirectional calls of the trial tenant exceeds the upper "
        "limit 10 per day.",
    ),
    # ---- ITA two-way call (Table 4).  vendor_msg is the documented retMsg. ----------------
    # Who fixes what is our reading: ITA keys and balance are tenant business (admin);
    # number binding, number pool and platform faults are the provider's.
    (
        "90100100",
        _("Call request rejected"),
        _(
            "The call service rejected the request because a value was missing or not "
            "supported. This often means a phone number is wrong, or that the console sends a "
            "setting that ITA calls do not support, such as a display number."
        ),
        _(
            "Check the customer's number and your own phone number. If they are right, tell "
            "your console admin."
        ),
        A,
        False,
        "Invalid Input Parameter",
    ),
    (
        "90100200",
        _("Call service sign-in failed"),
        _(
            "AICC could not sign in to the ITA call service. The ITA keys stored in AICC are "
            "probably wrong or out of date."
        ),
        _("Ask your console admin to check the ITA keys in the AICC bidirectional call settings."),
        A,
        False,
        "Auth Failed",
    ),
    (
        "90100300",
        _("Call request rejected"),
        _("The call service rejected the request as incorrect."),
        _ADMIN_THEN_PROVIDER,
        A,
        False,
        "Bad Request",
    ),
    (
        "90100400",
        _("Call service resource not found"),
        _("The call service could not find something it needs for this call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Not found",
    ),
    (
        "90100600",
        _("Call service error"),
        _("The call service had an internal error. The call was not placed."),
        _TRY_LATER,
        P,
        True,
        "Internal Server Error",
    ),
    (
        "90102001",
        _("Account balance too low"),
        _("Your organisation's call service account has run out of balance or quota."),
        _("Ask your console admin to top up the account with the AICC provider."),
        A,
        False,
        "Insufficient Balance",
    ),
    (
        "90102002",
        _("Calls are restricted"),
        _("The call service is currently restricting requests from your organisation."),
        _TRY_LATER,
        P,
        True,
        "Request Restriction",
    ),
    (
        "90104001",
        _("No permission to call"),
        _("Your organisation's call service account does not have permission for this call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Insufficient Permission",
    ),
    (
        "90104003",
        _("Call forbidden"),
        _("The call service refused to place this call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Request Forbidden",
    ),
    # Despite the retMsg, the vendor description is "not supported or implemented", i.e. a
    # missing feature, not a temporary outage.
    (
        "90104004",
        _("Feature not available"),
        _(
            "The call service does not support this function for your organisation. It may "
            "not be enabled."
        ),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Service Unavailable",
    ),
    (
        "90104008",
        _("Call service failed"),
        _("The call service timed out or failed while setting up the call."),
        _CHECK_BEFORE_RECALL,
        P,
        True,
        "Service Process Failure",
    ),
    (
        "90104029",
        _("Too many calls at once"),
        _("The call service received too many requests in a short time."),
        _("Wait a minute, then try again."),
        C,
        True,
        "Too Many Requests",
    ),
    # 9010600x: ITA two-way calls bind the two numbers through a virtual number (AXB binding).
    # "Binding already exists" most likely means a previous call between the same numbers is
    # still being released, like createCall retCode 1; we treat it the same way.
    (
        "90106001",
        _("A call to this customer may still be in progress"),
        _(
            "The call service still holds a link between your number and the customer's "
            "number, usually because a previous call between them has not fully ended."
        ),
        _("Wait a few minutes for the previous call to end, then try again."),
        C,
        True,
        "Binding relationship already exists",
    ),
    (
        "90106002",
        _("Number link missing"),
        _(
            "The call service could not find the link between your number and the customer's "
            "number that it needs for this call."
        ),
        _TRY_LATER,
        P,
        True,
        "Binding relationship not exists",
    ),
    (
        "90106003",
        _("No free connecting numbers"),
        _(
            "The call service has run out of the intermediate numbers it uses to connect you "
            "with customers."
        ),
        _TRY_LATER,
        P,
        True,
        "Insufficient Number resources",
    ),
    (
        "90106004",
        _("No connecting number available"),
        _("The call service could not find a number available to connect this call."),
        _TRY_LATER,
        P,
        True,
        "No corresponding number found",
    ),
    (
        "90106005",
        _("Number link data inconsistent"),
        _("The call service found inconsistent data about the numbers linked for this call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Inconsistent binding data",
    ),
    (
        "90106006",
        _("Number problem"),
        _("The call service could not place the call because of a problem with the numbers."),
        _CHECK_CUSTOMER_NUMBER,
        P,
        False,
        "Other Error",
    ),
    (
        "90106010",
        _("Blocked by a calling policy"),
        _("The call service blocked this call because of a calling policy."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Policy Forbid",
    ),
    (
        "90106011",
        _("Your number is restricted"),
        _("The call service does not allow calls from the phone number assigned to you."),
        _(
            "Ask your console admin to check the phone number assigned to you. The admin may "
            "need the AICC provider to lift the restriction."
        ),
        A,
        False,
        "Caller Forbid",
    ),
    (
        "90106012",
        _("Customer's number is restricted"),
        _("The call service does not allow calls to this customer's number."),
        _(
            "Check the customer's number. If it is right, this number cannot be called from "
            "the console; contact the customer another way."
        ),
        C,
        False,
        "Callee forbid",
    ),
]

# --------------------------------------------------------------------------------------------
# HTTP status of an /apiaccess/... call.  Vendor text from createCall-v3.txt; 403 from the
# voice-notification page; 502/503/504 are not documented (gateway in front of AICC).
# --------------------------------------------------------------------------------------------

_HTTP = [
    (
        "200",
        _("Request accepted"),
        _("AICC received and processed the request."),
        _NOTHING_TO_DO,
        N,
        False,
        "",
    ),
    (
        "400",
        _("Request rejected by AICC"),
        _(
            "AICC rejected the request as incorrect. Usually the AICC address or a setting in "
            "the console is wrong."
        ),
        _(
            "Tell your console admin. The admin should check the AICC base URL and the other "
            "AICC settings."
        ),
        A,
        False,
        "Incorrect request. Check the request path and parameters.",
    ),
    (
        "401",
        _("Not authorised by AICC"),
        _(
            "AICC refused the request. The console's AICC credentials may be wrong, the service "
            "may not have been purchased, or there may be a problem with the account."
        ),
        _(
            "Ask your console admin to check the AICC credentials. If they are correct, the "
            "admin should ask the AICC provider to check the service purchase and the account "
            "status."
        ),
        A,
        False,
        "Unauthorized operation. 1. Check whether you have purchased related services. "
        "2. Contact customer service to check the status of your account.",
    ),
    (
        "403",
        _("Access denied by AICC"),
        _(
            "AICC denied access. The console's AICC credentials may be wrong, or the console "
            "server may not be allowed to connect."
        ),
        _(
            "Ask your console admin to check the AICC credentials. If they are correct, the "
            "admin should ask the AICC provider to allow the console server."
        ),
        A,
        False,
        "Authentication failed.",
    ),
    (
        "404",
        _("AICC address not found"),
        _(
            "The AICC address configured in the console does not exist. The base URL is "
            "probably wrong, or this function is not published on your AICC."
        ),
        _(
            "Ask your console admin to check the AICC base URL. If it is right, the admin "
            "should ask the AICC provider whether the function is enabled."
        ),
        A,
        False,
        "The requested content is not found. Check the request path.",
    ),
    # Documented as "business failure, check parameter values", but in practice this is also
    # what a platform fault looks like, so a later retry may succeed.
    (
        "500",
        _("AICC could not process the request"),
        _(
            "AICC reported a failure while processing the request. A value in it, such as a "
            "phone number, may be wrong, or AICC had an internal problem."
        ),
        _(
            "Check the phone numbers, then try again in a few minutes. If it keeps happening, "
            "tell your console admin."
        ),
        P,
        True,
        "Business failure. Check the values of parameters in the request.",
    ),
    (
        "502",
        _("AICC gateway error"),
        _("A gateway in front of AICC could not reach it. This is usually temporary."),
        _TRY_LATER,
        P,
        True,
        "",
    ),
    (
        "503",
        _("AICC temporarily unavailable"),
        _("AICC is temporarily unavailable, for example because of maintenance or overload."),
        _TRY_LATER,
        P,
        True,
        "",
    ),
    (
        "504",
        _("AICC gateway timeout"),
        _(
            "A gateway in front of AICC did not get an answer in time. The request may or may "
            "not have reached AICC, so a call may have been placed."
        ),
        _CHECK_BEFORE_RECALL,
        P,
        True,
        "",
    ),
]

# --------------------------------------------------------------------------------------------
# Transport: the request got no usable answer.  Codes are chosen by the console's client.
# --------------------------------------------------------------------------------------------

_TRANSPORT = [
    (
        "timeout",
        _("AICC did not answer in time"),
        _(
            "The console sent the request, but AICC did not answer in time. The request may or "
            "may not have reached AICC, so a call may have been placed."
        ),
        _CHECK_BEFORE_RECALL,
        P,
        False,
        "",
    ),
    (
        "refused",
        _("AICC refused the connection"),
        _(
            "The console could not connect to AICC because the connection was refused. AICC "
            "may be down, or the AICC address in the console may be wrong."
        ),
        _(
            "Try again in a few minutes. If it keeps happening, ask your console admin to check "
            "the AICC base URL."
        ),
        A,
        True,
        "",
    ),
    (
        "reset",
        _("Connection to AICC dropped"),
        _(
            "The connection to AICC was dropped before an answer arrived. The request may or "
            "may not have reached AICC, so a call may have been placed."
        ),
        _CHECK_BEFORE_RECALL,
        P,
        False,
        "",
    ),
    (
        "dns",
        _("AICC server not found"),
        _(
            "The console could not find the AICC server by its name. The AICC address in the "
            "console may be wrong, or there is a network problem."
        ),
        _(
            "Try again in a few minutes. If it keeps happening, ask your console admin to check "
            "the AICC base URL."
        ),
        A,
        True,
        "",
    ),
    (
        "tls",
        _("Secure connection to AICC failed"),
        _(
            "The console could not set up a secure connection to AICC. The server's "
            "certificate may be invalid or expired, or the AICC address may point to the wrong "
            "server."
        ),
        _(
            "Ask your console admin to check the AICC base URL. If it is right, the admin "
            "should contact the AICC provider about the certificate."
        ),
        A,
        False,
        "",
    ),
    (
        "bad_json",
        _("Unreadable answer from AICC"),
        _(
            "AICC answered, but not in the expected format. The AICC address may point to the "
            "wrong server, or AICC had an error."
        ),
        _(
            "Ask your console admin to check the AICC base URL. If it is right, the admin "
            "should contact the AICC provider."
        ),
        A,
        False,
        "",
    ),
    (
        "no_retcode",
        _("Incomplete answer from AICC"),
        _(
            "AICC answered without a result code, so the console cannot tell whether the "
            "request worked. A call may have been placed."
        ),
        _CHECK_BEFORE_RECALL,
        P,
        False,
        "",
    ),
    # Wrapper: the underlying token failure is decoded separately under source "token".
    (
        "token",
        _("Could not sign in to AICC"),
        _(
            "The console could not get an access token from AICC, so the request was not sent. "
            "No call was placed."
        ),
        _(
            "Ask your console admin to check the AICC app key, secret and token URL. The admin "
            "can see the exact sign-in error."
        ),
        A,
        False,
        "",
    ),
    (
        "config",
        _("AICC is not set up"),
        _(
            "Your organisation has no AICC credentials or AICC address configured in the "
            "console, so nothing can be sent to AICC."
        ),
        _(
            "Ask your console admin to enter the AICC app key, secret and base URL in the "
            "console settings."
        ),
        A,
        False,
        "",
    ),
    # Not an AICC answer: the console's own sweep found the call stuck in "placing" (the process
    # stopped between saving the call and receiving AICC's answer). The request may have been sent.
    (
        "interrupted",
        _("The console was interrupted while placing the call"),
        _(
            "The console stopped before AICC's answer arrived, so it does not know whether the "
            "call was placed. A call may have been placed."
        ),
        _CHECK_BEFORE_RECALL,
        A,
        False,
        "",
    ),
]

# --------------------------------------------------------------------------------------------
# tokenByAkSk HTTP status.  Huawei documents no error responses for this interface; these
# meanings come from the generic status notes and a field report (aicc-api.md section 1).
# --------------------------------------------------------------------------------------------

_TOKEN = [
    (
        "200",
        _("Signed in to AICC"),
        _("AICC issued an access token to the console."),
        _NOTHING_TO_DO,
        N,
        False,
        "",
    ),
    (
        "400",
        _("Sign-in request rejected"),
        _(
            "AICC rejected the console's sign-in request as incorrect. The token URL or the app "
            "key settings may be wrong."
        ),
        _("Ask your console admin to check the AICC token URL, app key and secret."),
        A,
        False,
        "",
    ),
    (
        "401",
        _("Sign-in refused"),
        _(
            "AICC refused the console's sign-in. The app key or secret may be wrong, the "
            "service may not have been purchased, or there may be a problem with the account."
        ),
        _(
            "Ask your console admin to check the app key and secret. If they are correct, the "
            "admin should ask the AICC provider to check the account."
        ),
        A,
        False,
        "",
    ),
    (
        "403",
        _("Sign-in forbidden"),
        _(
            "AICC refused the console's sign-in. Usually the app key or secret is wrong, or the "
            "console server's internet address is not on AICC's allowlist."
        ),
        _(
            "Ask your console admin to check the app key and secret. If they are correct, the "
            "admin should ask the AICC provider to allowlist the console server's address."
        ),
        A,
        False,
        "",
    ),
    (
        "404",
        _("Sign-in address not found"),
        _(
            "The token URL configured in the console is wrong. Some AICC installations need "
            "port 28070 in the token URL, others must not have it."
        ),
        _("Ask your console admin to check the AICC token URL."),
        A,
        False,
        "",
    ),
    (
        "500",
        _("AICC sign-in service error"),
        _("The AICC sign-in service had an internal error."),
        _TRY_LATER,
        P,
        True,
        "",
    ),
]

# --------------------------------------------------------------------------------------------
# queryCallState retCode (aicc-api.md section 5).
# --------------------------------------------------------------------------------------------

_QUERY_CALL_STATE = [
    (
        "0",
        _("Call status received"),
        _("AICC returned the current status of the call."),
        _NOTHING_TO_DO,
        N,
        False,
        "Success",
    ),
    (
        "1",
        _("Call status not available"),
        _(
            "AICC could not return the status of this call right now. The call itself is not "
            "affected."
        ),
        _("Refresh again in a moment."),
        P,
        True,
        "Status query failed",
    ),
    (
        "3",
        _("Invalid call reference"),
        _(
            "AICC did not accept the call's reference number, so its status cannot be looked "
            "up. The call itself may still have taken place."
        ),
        _CONSOLE_FAULT,
        A,
        False,
        "callSerialNo format invalid",
    ),
]

# --------------------------------------------------------------------------------------------
# queryCallDetailRecord retCode (aicc-api.md section 4.3).
# --------------------------------------------------------------------------------------------

_QUERY_CDR = [
    (
        "0",
        _("Call history received"),
        _("AICC returned the call records."),
        _NOTHING_TO_DO,
        N,
        False,
        "Query call detail record successfully",
    ),
    # Not an error: AICC reports an empty result as retCode 1.  Records can appear a few
    # minutes after a call ends, so asking again later may return them.
    (
        "1",
        _("No calls found"),
        _("AICC has no call records for this period."),
        _("Nothing to do. If a call ended only just now, check again in a few minutes."),
        N,
        True,
        "No data found",
    ),
    (
        "2",
        _("Invalid time range"),
        _("AICC rejected the start or end time of the call history query."),
        _CONSOLE_FAULT,
        A,
        False,
        "start/end time format invalid",
    ),
    (
        "4",
        _("Invalid page settings"),
        _("AICC rejected the page size or position of the call history query."),
        _CONSOLE_FAULT,
        A,
        False,
        "limit/offset format invalid",
    ),
    (
        "12",
        _("Calling number not available"),
        _("The phone number used to filter the call history is not available in AICC."),
        _(
            "Check the phone number in the filter. If it is right, ask your console admin to "
            "check the softphone numbers assigned in the console."
        ),
        A,
        False,
        "Calling number unavailable",
    ),
]

# --------------------------------------------------------------------------------------------
# queryPhone (V1 and V2) retCode (aicc-api.md section 7).  Mostly seen by the console admin.
# --------------------------------------------------------------------------------------------

_QUERY_PHONE = [
    (
        "0",
        _("Softphone numbers received"),
        _("AICC returned the softphone numbers allocated to your organisation."),
        _NOTHING_TO_DO,
        N,
        False,
        "Success",
    ),
    (
        "1",
        _("Softphone query failed"),
        _("AICC could not list the softphone numbers allocated to your organisation."),
        _TRY_LATER,
        P,
        True,
        "Query failed",
    ),
    (
        "2",
        _("No softphone information"),
        _(
            "AICC has no mobile agent (softphone) information for your organisation. The "
            "feature may not be set up yet."
        ),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Mobile agent information is empty",
    ),
    (
        "3",
        _("Softphone server not configured"),
        _(
            "AICC has no address or port of the softphone registration server for your "
            "organisation."
        ),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Registration server address or port is empty",
    ),
    (
        "4",
        _("Invalid page settings"),
        _("AICC rejected the softphone query because the page size or position was empty."),
        _CONSOLE_FAULT,
        A,
        False,
        "limit or offset is empty",
    ),
    (
        "5",
        _("Call center information missing"),
        _("AICC has no virtual call center (VDN) information for your organisation."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "VDN information is empty",
    ),
]

# --------------------------------------------------------------------------------------------
# getRecordingAddress retCode (aicc-api.md section 6).  retCode is a JSON number here.
# --------------------------------------------------------------------------------------------

_GET_RECORDING = [
    (
        "0",
        _("Recording ready"),
        _("AICC returned a link to the recording. The link works for 5 minutes."),
        _NOTHING_TO_DO,
        N,
        False,
        "Success",
    ),
    (
        "1",
        _("Recording upload failed"),
        _("AICC could not copy the recording to its storage."),
        _TRY_LATER,
        P,
        True,
        "Upload to OBS failed",
    ),
    (
        "3",
        _("Call center unavailable"),
        _("The virtual call center (VDN) that holds the recording is unavailable."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "VDN/VCC unavailable",
    ),
    # "No matching history record": either the call was never connected (nothing recorded)
    # or AICC has not written the record yet, so asking again later may work.
    (
        "5",
        _("No recording found"),
        _(
            "AICC has no recording for this call. Calls that were never answered have no "
            "recording, and a new recording can take a few minutes to appear."
        ),
        _("If the call ended only just now, try again in a few minutes."),
        N,
        True,
        "No matching history record",
    ),
    (
        "6",
        _("Call center not found"),
        _("The virtual call center (VDN) that should hold the recording does not exist."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "VDN/VCC does not exist",
    ),
    (
        "7",
        _("Recording storage not configured"),
        _("AICC has no settings for the server where recordings are stored."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "SFTP info empty",
    ),
    (
        "8",
        _("Recording storage password missing"),
        _("AICC has no user name or password for the server where recordings are stored."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "SFTP user password empty",
    ),
    (
        "9",
        _("Recording storage unreachable"),
        _("AICC could not connect to the server where recordings are stored."),
        _TRY_LATER,
        P,
        True,
        "SFTP connection failed",
    ),
    (
        "10",
        _("Recording could not be prepared"),
        _("AICC could not get a temporary folder to prepare the recording."),
        _TRY_LATER,
        P,
        True,
        "Could not obtain temp path",
    ),
    (
        "11",
        _("Recording download failed"),
        _("AICC could not fetch the recording from its media server."),
        _TRY_LATER,
        P,
        True,
        "Download from UAP failed",
    ),
    (
        "12",
        _("Invalid call reference"),
        _("AICC rejected the call's reference number because it is too long."),
        _CONSOLE_FAULT,
        A,
        False,
        "callSerialNo longer than 50 chars",
    ),
    (
        "13",
        _("Recording too large"),
        _("The recording is larger than AICC allows for download."),
        _("Ask your console admin to get the recording from the AICC provider."),
        P,
        False,
        "Recording file exceeds size limit",
    ),
]

# --------------------------------------------------------------------------------------------
# outcome: reasonCode of an AICC two-way call (aicc-api.md section 4.1).  The "calling party"
# is the customer manager's leg (rung first), the "called party" is the customer.
# retry here means: calling again later could reach the person.
# --------------------------------------------------------------------------------------------

_OUTCOME = [
    (
        "0",
        _("The customer hung up"),
        _("The call ended normally when the customer hung up."),
        _NOTHING_TO_DO,
        N,
        False,
        "Call ended, called party hung up",
    ),
    (
        "1",
        _("You hung up"),
        _(
            "The call ended when you hung up. If you hung up before the customer answered, the "
            "customer was not reached."
        ),
        _NOTHING_TO_DO,
        N,
        False,
        "Call ended, calling party hung up",
    ),
    (
        "2",
        _("Your phone could not be reached"),
        _(
            "AICC could not ring your phone. It may be switched off, busy or without signal, or "
            "your softphone app may not be signed in. The customer was not called."
        ),
        _(
            "Check that your phone is on and has signal, or that your softphone app is signed "
            "in, then call again. If it keeps happening, ask your console admin to check your "
            "phone number in the console."
        ),
        C,
        True,
        "Outbound leg to the calling party failed",
    ),
    (
        "3",
        _("The customer's phone could not be reached"),
        _(
            "AICC could not reach the customer's phone. It may be switched off, busy or without "
            "signal, or the number may be wrong."
        ),
        _("Check the customer's number, then try again later."),
        C,
        True,
        "Outbound leg to the called party failed",
    ),
    (
        "4",
        _("You did not answer your phone"),
        _("AICC rang your phone first, but it was not answered, so the customer was not called."),
        _("Call again and answer your phone when it rings."),
        C,
        True,
        "Calling party did not answer",
    ),
    (
        "5",
        _("The customer did not answer"),
        _("You answered, and AICC rang the customer, but the customer did not answer."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "Called party did not answer",
    ),
    (
        "6",
        _("The call could not be started"),
        _("AICC could not start the call. Neither phone was rung."),
        _TRY_LATER,
        P,
        True,
        "Call could not be started",
    ),
]

# --------------------------------------------------------------------------------------------
# outcome_ita: reasonCode of an ITA two-way call.  ITA reports ITU-T Q.850 cause values
# (aicc-api.md section 4.2); Huawei's full table was not retrieved, so vendor_msg holds the
# standard Q.850 cause name and the plain wording is ours.  0 is Huawei's "not applicable".
# A Q.850 cause does not say which leg failed, so the texts speak of "the phone called".
# --------------------------------------------------------------------------------------------

_CHECK_NUMBER_Q850 = _(
    "Check the customer's number, including any area or country code. If your own phone never "
    "rang, ask your console admin to check your number."
)
_NETWORK_TRY_LATER = _(
    "Try again in a few minutes. If it keeps happening, tell your console admin so the AICC "
    "provider can look into it."
)

_OUTCOME_ITA = [
    (
        "0",
        _("No cause reported"),
        _("The phone network did not report why the call ended."),
        _NOTHING_TO_DO,
        N,
        False,
        "Not applicable",
    ),
    (
        "1",
        _("Number does not exist"),
        _("The phone network says that the number called does not exist."),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "Unallocated (unassigned) number",
    ),
    (
        "2",
        _("Network of the number not reachable"),
        _("The phone network could not find a route to the network of the number called."),
        _CHECK_NUMBER_Q850,
        P,
        False,
        "No route to specified transit network",
    ),
    (
        "3",
        _("Number not reachable"),
        _("The phone network has no route to the number called. It may be wrong or incomplete."),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "No route to destination",
    ),
    (
        "4",
        _("Number cannot be reached"),
        _(
            "The phone network played a special information tone: the number called cannot be "
            "reached, for example because it is out of service."
        ),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "Send special information tone",
    ),
    (
        "5",
        _("Wrong number prefix"),
        _("The number was dialled with a wrong prefix, for example an extra leading zero."),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "Misdialled trunk prefix",
    ),
    (
        "6",
        _("Line not usable"),
        _("The phone network could not use the line offered for this call."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Channel unacceptable",
    ),
    (
        "7",
        _("Call delivered on an existing line"),
        _("The phone network connected the call over a line that was already set up."),
        _("Nothing to do. If the call did not work, try again."),
        N,
        True,
        "Call awarded and being delivered in an established channel",
    ),
    (
        "8",
        _("Call cut off for a priority call"),
        _("The phone network ended the call to free the line for a higher-priority call."),
        _TRY_LATER_SIMPLE,
        N,
        True,
        "Preemption",
    ),
    (
        "9",
        _("Line reserved for another call"),
        _("The phone network ended the call because the line was reserved for another call."),
        _TRY_LATER_SIMPLE,
        N,
        True,
        "Preemption - circuit reserved for reuse",
    ),
    (
        "16",
        _("Call ended normally"),
        _("The call ended normally when one of the two people hung up."),
        _NOTHING_TO_DO,
        N,
        False,
        "Normal call clearing",
    ),
    (
        "17",
        _("Line busy"),
        _("The phone called was busy."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "User busy",
    ),
    (
        "18",
        _("No response from the phone"),
        _("The phone called did not respond. It may be switched off or without signal."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "No user responding",
    ),
    (
        "19",
        _("No answer"),
        _("The phone rang, but nobody answered."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "No answer from user (user alerted)",
    ),
    (
        "20",
        _("Phone unavailable"),
        _("The phone called is switched off, without signal or not connected to the network."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "Subscriber absent",
    ),
    (
        "21",
        _("Call rejected"),
        _("The call was rejected, for example because the person declined it."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "Call rejected",
    ),
    (
        "22",
        _("Number has changed"),
        _("The number called is no longer in use because its owner changed it."),
        _("Find the customer's new number and update it, then call again."),
        C,
        False,
        "Number changed",
    ),
    (
        "26",
        _("Answered elsewhere"),
        _("The call was answered on another device, so this one stopped ringing."),
        _NOTHING_TO_DO,
        N,
        False,
        "Non-selected user clearing",
    ),
    (
        "27",
        _("Phone line out of order"),
        _("The phone called cannot be reached because its line is out of order."),
        _CUSTOMER_UNREACHABLE_NEXT,
        N,
        True,
        "Destination out of order",
    ),
    (
        "28",
        _("Invalid or incomplete number"),
        _("The number called has a wrong format or is incomplete."),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "Invalid number format (address incomplete)",
    ),
    (
        "29",
        _("Network service refused"),
        _("The phone network refused a service that this call needed."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Facility rejected",
    ),
    (
        "31",
        _("Call ended"),
        _("The call ended normally; the phone network gave no more detail."),
        _NOTHING_TO_DO,
        N,
        False,
        "Normal, unspecified",
    ),
    (
        "34",
        _("Network busy"),
        _("The phone network had no free line for this call."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "No circuit/channel available",
    ),
    (
        "38",
        _("Network out of order"),
        _("The phone network was out of order."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Network out of order",
    ),
    (
        "41",
        _("Temporary network failure"),
        _("The phone network had a temporary failure."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Temporary failure",
    ),
    (
        "42",
        _("Network congested"),
        _("The phone network was overloaded."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Switching equipment congestion",
    ),
    (
        "44",
        _("Requested line not available"),
        _("The line the phone network wanted to use for this call was not available."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Requested circuit/channel not available",
    ),
    (
        "47",
        _("Network resources unavailable"),
        _("The phone network did not have the resources to connect this call."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Resource unavailable, unspecified",
    ),
    (
        "50",
        _("Service not subscribed"),
        _("This call needs a network service that your organisation's line does not have."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Requested facility not subscribed",
    ),
    (
        "55",
        _("Incoming calls barred"),
        _("The phone called does not accept calls from this line."),
        _("Contact the customer another way."),
        N,
        False,
        "Incoming calls barred within CUG",
    ),
    (
        "57",
        _("Call type not allowed"),
        _("The line is not allowed to make this type of call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Bearer capability not authorized",
    ),
    (
        "58",
        _("Call type temporarily unavailable"),
        _("The phone network cannot handle this type of call at the moment."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Bearer capability not presently available",
    ),
    (
        "63",
        _("Network service not available"),
        _("A network service that this call needed is not available."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Service or option not available, unspecified",
    ),
    (
        "65",
        _("Call type not supported"),
        _("The phone network does not support this type of call."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Bearer capability not implemented",
    ),
    (
        "69",
        _("Network service not supported"),
        _("The phone network does not support a service that this call needed."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Requested facility not implemented",
    ),
    (
        "79",
        _("Network option not supported"),
        _("The phone network does not support an option that this call needed."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Service or option not implemented, unspecified",
    ),
    (
        "87",
        _("Calls limited to a closed group"),
        _("The phone called only accepts calls from members of a closed group of lines."),
        _("Contact the customer another way."),
        N,
        False,
        "User not member of CUG",
    ),
    (
        "88",
        _("Phone cannot take this call"),
        _(
            "The number called cannot take this type of call; it may be a fax or data line "
            "rather than a phone."
        ),
        _CHECK_NUMBER_Q850,
        C,
        False,
        "Incompatible destination",
    ),
    (
        "95",
        _("Network signalling error"),
        _("The phone network received an invalid message while setting up the call."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Invalid message, unspecified",
    ),
    (
        "96",
        _("Network signalling error: missing information"),
        _("A message in the phone network lacked information that is required."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Mandatory information element is missing",
    ),
    (
        "97",
        _("Network signalling error: unknown message"),
        _("The phone network received a message type it does not know."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Message type non-existent or not implemented",
    ),
    (
        "99",
        _("Network signalling error: unknown information"),
        _("The phone network received information it does not know."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
        "Information element / parameter non-existent or not implemented",
    ),
    # In practice 100 is also what some networks send for a badly formatted number.
    (
        "100",
        _("Network signalling error: invalid information"),
        _(
            "The phone network received information with invalid content. A badly formatted "
            "number can cause this."
        ),
        _CHECK_NUMBER_Q850,
        P,
        False,
        "Invalid information element contents",
    ),
    (
        "102",
        _("Network timed out"),
        _("The phone network gave up waiting for a step of the call set-up."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Recovery on timer expiry",
    ),
    (
        "111",
        _("Network protocol error"),
        _("The phone network had a protocol error while handling the call."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Protocol error, unspecified",
    ),
    (
        "127",
        _("Error between networks"),
        _("The call failed while passing between two phone networks, without more detail."),
        _NETWORK_TRY_LATER,
        P,
        True,
        "Interworking, unspecified",
    ),
]

# --------------------------------------------------------------------------------------------
# state: call state from queryCallState / queryCallDetailRecord.  The title is the display
# label.
# --------------------------------------------------------------------------------------------

_STATE = [
    (
        "0",
        _("Waiting to be called"),
        _("AICC has accepted the call and will ring your phone shortly."),
        _("Wait for your phone to ring."),
        N,
        False,
        "waiting to be called",
    ),
    (
        "1",
        _("Calling"),
        _("AICC is ringing your phone or the customer's phone."),
        _("Answer your phone when it rings."),
        N,
        False,
        "calling",
    ),
    (
        "2",
        _("In conversation"),
        _("The call is connected."),
        _NOTHING_TO_DO,
        N,
        False,
        "in conversation",
    ),
    (
        "3",
        _("Ended"),
        _("The call has ended."),
        _("See the outcome for how the call ended."),
        N,
        False,
        "ended",
    ),
]

# --------------------------------------------------------------------------------------------
# Generic fallbacks for unknown codes, per source: (title, explanation, next_step, fixer,
# retry).  "{code}" is replaced lazily by the raw (normalised) code.
# --------------------------------------------------------------------------------------------

_FALLBACK = {
    "createCall": (
        _("AICC returned code {code}"),
        _(
            "AICC did not place the call and returned code {code}, which this console does not "
            "recognise."
        ),
        _("Tell your console admin the code, so that they can check it with the AICC provider."),
        P,
        False,
    ),
    "http": (
        _("AICC answered with HTTP status {code}"),
        _("AICC answered with an unexpected HTTP status ({code})."),
        _("Tell your console admin the status, so that they can check it."),
        P,
        False,
    ),
    "transport": (
        _("Connection problem with AICC ({code})"),
        _("The console could not talk to AICC properly (error: {code})."),
        _CHECK_BEFORE_RECALL,
        P,
        False,
    ),
    "token": (
        _("Sign-in to AICC failed (HTTP {code})"),
        _("AICC refused the console's sign-in with an unexpected HTTP status ({code})."),
        _("Ask your console admin to check the AICC token URL, app key and secret."),
        A,
        False,
    ),
    "queryCallState": (
        _("Call status query returned code {code}"),
        _("AICC could not return the call status and returned code {code}."),
        _TRY_LATER,
        P,
        False,
    ),
    "queryCallDetailRecord": (
        _("Call history query returned code {code}"),
        _("AICC could not return the call history and returned code {code}."),
        _TRY_LATER,
        P,
        False,
    ),
    "queryPhone": (
        _("Softphone query returned code {code}"),
        _("AICC could not list the softphone numbers and returned code {code}."),
        _ADMIN_THEN_PROVIDER,
        P,
        False,
    ),
    "getRecordingAddress": (
        _("Recording request returned code {code}"),
        _("AICC could not return the recording and returned code {code}."),
        _TRY_LATER,
        P,
        False,
    ),
    # aicc-api.md section 4.1: "other = other exception".  Calling again may well work.
    "outcome": (
        _("Other exception (code {code})"),
        _("The call ended because of an exception in AICC (code {code})."),
        _TRY_LATER,
        P,
        True,
    ),
    "outcome_ita": (
        _("Other cause (code {code})"),
        _("The call ended with network cause code {code}, which this console does not know."),
        _TRY_LATER,
        P,
        True,
    ),
    "state": (
        _("Unknown state ({code})"),
        _("AICC reported a call state this console does not know ({code})."),
        _("Refresh the page later to see the current state."),
        N,
        False,
    ),
}

_FALLBACK_UNKNOWN_SOURCE = (
    _("Unrecognised result {code}"),
    _("The console received a result it does not recognise ({code})."),
    _TELL_ADMIN,
    P,
    False,
)

# HTTP-like sources: an unknown 5xx is a server-side problem that may go away.
_HTTP_5XX_FALLBACK = {
    "http": (
        _("AICC answered with HTTP status {code}"),
        _("AICC had a server problem (HTTP status {code})."),
        _TRY_LATER,
        P,
        True,
    ),
    "token": (
        _("Sign-in to AICC failed (HTTP {code})"),
        _("The AICC sign-in service had a server problem (HTTP status {code})."),
        _TRY_LATER,
        P,
        True,
    ),
}

# --------------------------------------------------------------------------------------------
# Assembly.
# --------------------------------------------------------------------------------------------

_TABLES = {
    "createCall": _CREATE_CALL,
    "http": _HTTP,
    "transport": _TRANSPORT,
    "token": _TOKEN,
    "queryCallState": _QUERY_CALL_STATE,
    "queryCallDetailRecord": _QUERY_CDR,
    "queryPhone": _QUERY_PHONE,
    "getRecordingAddress": _GET_RECORDING,
    "outcome": _OUTCOME,
    "outcome_ita": _OUTCOME_ITA,
    "state": _STATE,
}

SOURCES: tuple[str, ...] = tuple(_TABLES)

# Sources whose codes are free-form words rather than numbers.
_WORD_SOURCES = frozenset({"transport"})

# Sources where the code is an AICC retCode ("0" = success).
_RETCODE_SOURCES = frozenset(
    {"createCall", "queryCallState", "queryCallDetailRecord", "queryPhone", "getRecordingAddress"}
)

_CATALOGUE: dict[str, dict[str, Reason]] = {
    source: {
        row[0]: Reason(source, row[0], row[1], row[2], row[3], row[4], row[5], row[6])
        for row in rows
    }
    for source, rows in _TABLES.items()
}

_SOURCE_BY_LOWER = {source.lower(): source for source in SOURCES}

_NUMERIC = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_MAX_CODE_LEN = 64

del C, A, P, N


def _canonical_source(source: object) -> str:
    try:
        text = str(source).strip()
    except Exception:  # pragma: no cover - str() of a hostile object
        return "?"
    return _SOURCE_BY_LOWER.get(text.lower(), text)


def normalize_code(source: object, code: object) -> str:
    """The catalogue form of ``code``: a stripped string, numbers without leading zeros.

    ``5``, ``"5"``, ``" 05 "`` and ``5.0`` all become ``"5"``; ``None`` becomes ``""``;
    transport codes are lower-cased.  Never raises.
    """
    try:
        if code is None:
            return ""
        if isinstance(code, bytes | bytearray):
            code = bytes(code).decode("utf-8", "replace")
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if isinstance(code, int) and not isinstance(code, bool):
            text = str(code)
        else:
            text = str(code).strip()
            if _canonical_source(source) in _WORD_SOURCES:
                text = text.lower()
            elif _NUMERIC.fullmatch(text):
                text = str(int(text.split(".")[0]))
    except Exception:  # e.g. a number too long for int()/str(), or a hostile __str__
        return "?"
    if len(text) > _MAX_CODE_LEN:
        text = text[: _MAX_CODE_LEN - 1] + "…"
    return text


def _is_status(code: str, low: int, high: int) -> bool:
    return code.isascii() and code.isdigit() and low <= int(code) <= high


def _fallback(source: str, code: str) -> Reason:
    spec = _FALLBACK.get(source, _FALLBACK_UNKNOWN_SOURCE)
    if source in _HTTP_5XX_FALLBACK and _is_status(code, 500, 599):
        spec = _HTTP_5XX_FALLBACK[source]
    title, explanation, next_step, fixer, retry = spec
    shown = code if code else _("(none)")
    if source not in _FALLBACK:
        shown = f"{source}:{code}" if code else source
    return Reason(
        source=source,
        code=code,
        title=format_lazy(title, code=shown),
        explanation=format_lazy(explanation, code=shown),
        next_step=next_step,
        fixer=fixer,
        retry=retry,
        known=False,
    )


def decode(source: str, code: object) -> Reason:
    """Decode ``code`` reported under ``source``.  Never raises.

    An unknown code (or source) gives a generic reason with ``known=False`` whose title and
    explanation include the raw code.
    """
    src = _canonical_source(source)
    normalised = normalize_code(src, code)
    found = _CATALOGUE.get(src, {}).get(normalised)
    if found is not None:
        return found
    return _fallback(src, normalised)


def reasons_for(source: str) -> list[Reason]:
    """All known reasons of ``source`` in code order (empty for an unknown source)."""
    return list(_CATALOGUE.get(_canonical_source(source), {}).values())


def all_reasons() -> list[Reason]:
    """Every known reason, source by source in ``SOURCES`` order."""
    return [reason for source in SOURCES for reason in _CATALOGUE[source].values()]


# Normal call ends: a party hung up (AICC) or Q.850 normal clearing (ITA).
_NORMAL_END = {"outcome": frozenset({"0", "1"}), "outcome_ita": frozenset({"16", "31"})}


def is_success(source: str, code: object) -> bool:
    """Did the request succeed / did the call end normally?

    - retCode sources (createCall, queryCallState, queryCallDetailRecord, queryPhone,
      getRecordingAddress): code 0.  (queryCallDetailRecord 1 "no data" is not an error, but
      it is not a success either; check ``decode(...).fixer == Fixer.NOBODY`` for that.)
    - http, token: a 2xx status.
    - outcome: 0 or 1 (someone hung up); outcome_ita: Q.850 16 or 31 (normal clearing).
    - transport, state and unknown sources: never.
    """
    src = _canonical_source(source)
    normalised = normalize_code(src, code)
    if src in _RETCODE_SOURCES:
        return normalised == "0"
    if src in ("http", "token"):
        return _is_status(normalised, 200, 299)
    if src in _NORMAL_END:
        return normalised in _NORMAL_END[src]
    return False
