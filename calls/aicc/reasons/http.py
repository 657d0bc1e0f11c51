"""HTTP status of an /apiaccess/... call.

Vendor text from createCall-v3.txt; 403 from the voice-notification page; 502/503/504 are
not documented (gateway in front of AICC).  After a 502 or a 504 the request may have reached
AICC (calls.services.placing.MAYBE_SENT_HTTP): a call may have been placed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import CHECK_BEFORE_RECALL, NOTHING_TO_DO, TRY_LATER

REASONS = [
    Row(
        "200",
        title=_("Request accepted"),
        explanation=_("AICC received and processed the request."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
    ),
    Row(
        "400",
        title=_("Request rejected by AICC"),
        explanation=_(
            "AICC rejected the request as incorrect. Usually the AICC address or a setting in "
            "the console is wrong."
        ),
        next_step=Words(
            caller=_(
                "Tell your console admin. The admin should check the AICC base URL and the "
                "other AICC settings."
            ),
            others=_("A console admin should check the AICC base URL and the other AICC settings."),
            admin=_("Check the AICC base URL and the other AICC settings."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Incorrect request. Check the request path and parameters.",
    ),
    Row(
        "401",
        title=_("Not authorised by AICC"),
        explanation=_(
            "AICC refused the request. The console's AICC credentials may be wrong, the service "
            "may not have been purchased, or there may be a problem with the account."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC credentials. If they are correct, the "
                "admin should ask the AICC provider to check the service purchase and the "
                "account status."
            ),
            others=_(
                "A console admin should check the AICC credentials. If they are correct, the "
                "admin should ask the AICC provider to check the service purchase and the "
                "account status."
            ),
            admin=_(
                "Check the AICC credentials. If they are correct, ask the AICC provider to check "
                "the service purchase and the account status."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg=(
            "Unauthorized operation. 1. Check whether you have purchased related services. "
            "2. Contact customer service to check the status of your account."
        ),
    ),
    Row(
        "403",
        title=_("Access denied by AICC"),
        explanation=_(
            "AICC denied access. The console's AICC credentials may be wrong, or the console "
            "server may not be allowed to connect."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC credentials. If they are correct, the "
                "admin should ask the AICC provider to allow the console server."
            ),
            others=_(
                "A console admin should check the AICC credentials. If they are correct, the "
                "admin should ask the AICC provider to allow the console server."
            ),
            admin=_(
                "Check the AICC credentials. If they are correct, ask the AICC provider to allow "
                "the console server."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="Authentication failed.",
    ),
    Row(
        "404",
        title=_("AICC address not found"),
        explanation=Words(
            caller=_(
                "The AICC address configured in the console does not exist. The base URL is "
                "probably wrong, or this function is not published on your AICC."
            ),
            others=_(
                "The AICC address configured in the console does not exist. The base URL is "
                "probably wrong, or this function is not published on the organisation's AICC."
            ),
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC base URL. If it is right, the admin "
                "should ask the AICC provider whether the function is enabled."
            ),
            others=_(
                "A console admin should check the AICC base URL. If it is right, the admin "
                "should ask the AICC provider whether the function is enabled."
            ),
            admin=_(
                "Check the AICC base URL. If it is right, ask the AICC provider whether the "
                "function is enabled."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        vendor_msg="The requested content is not found. Check the request path.",
    ),
    # Documented as "business failure, check parameter values", but in practice this is also
    # what a platform fault looks like, so a later retry may succeed.
    Row(
        "500",
        title=_("AICC could not process the request"),
        explanation=_(
            "AICC reported a failure while processing the request. A value in it, such as a "
            "phone number, may be wrong, or AICC had an internal problem."
        ),
        next_step=Words(
            caller=_(
                "Check the phone numbers, then try again in a few minutes. If it keeps "
                "happening, tell your console admin."
            ),
            others=_(
                "The customer manager should check the phone numbers; it may work again in a "
                "few minutes. If it keeps happening, a console admin should ask the AICC "
                "provider to look into it."
            ),
            admin=_(
                "The customer manager should check the phone numbers; it may work again in a "
                "few minutes. If it keeps happening, ask the AICC provider to look into it."
            ),
        ),
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
        vendor_msg="Business failure. Check the values of parameters in the request.",
    ),
    # A gateway answers 502 when AICC's answer did not reach it properly (e.g. AICC dropped the
    # connection): AICC may have received the request, so a call may have been placed.
    Row(
        "502",
        title=_("AICC gateway error"),
        explanation=_(
            "A gateway in front of AICC did not get a proper answer from it. The request may or "
            "may not have reached AICC, so a call may have been placed."
        ),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        maybe_placed=True,
    ),
    Row(
        "503",
        title=_("AICC temporarily unavailable"),
        explanation=_(
            "AICC is temporarily unavailable, for example because of maintenance or overload."
        ),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
    ),
    Row(
        "504",
        title=_("AICC gateway timeout"),
        explanation=_(
            "A gateway in front of AICC did not get an answer in time. The request may or may "
            "not have reached AICC, so a call may have been placed."
        ),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        maybe_placed=True,
    ),
]

FALLBACK = Row(
    title=_("AICC answered with HTTP status {code}"),
    explanation=_("AICC answered with an unexpected HTTP status ({code})."),
    next_step=Words(
        caller=_("Tell your console admin the status, so that they can check it."),
        others=_("A console admin should check the status with the AICC provider."),
        admin=_("Check the status with the AICC provider."),
    ),
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)

# An unknown 5xx is a server-side problem that may go away.
FALLBACK_5XX = Row(
    title=_("AICC answered with HTTP status {code}"),
    explanation=_("AICC had a server problem (HTTP status {code})."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=True,
    group=Group.PROVIDER,
)
