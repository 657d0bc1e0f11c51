"""Transport: the request got no usable answer.

Codes are chosen by the console's client (lower-case words, not numbers).  After a timeout, a
dropped connection, an unreadable answer or one without a result code, the request may have
reached AICC (calls.services.placing.MAYBE_SENT_FAULTS): a call may have been placed, so the
advice is to check before calling again, never to simply retry.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import CHECK_BEFORE_RECALL

_TRY_LATER_CHECK_URL = Words(
    caller=_(
        "Try again in a few minutes. If it keeps happening, ask your console admin to check "
        "the AICC base URL."
    ),
    others=_(
        "It may work again in a few minutes. If it keeps happening, a console admin should "
        "check the AICC base URL."
    ),
    admin=_("It may work again in a few minutes. If it keeps happening, check the AICC base URL."),
)

REASONS = [
    Row(
        "timeout",
        title=_("AICC did not answer in time"),
        explanation=_(
            "The console sent the request, but AICC did not answer in time. The request may or "
            "may not have reached AICC, so a call may have been placed."
        ),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        maybe_placed=True,
    ),
    Row(
        "refused",
        title=_("AICC refused the connection"),
        explanation=_(
            "The console could not connect to AICC because the connection was refused. AICC "
            "may be down, or the AICC address in the console may be wrong."
        ),
        next_step=_TRY_LATER_CHECK_URL,
        fixer=Fixer.ADMIN,
        retry=True,
        group=Group.NETWORK,
    ),
    Row(
        "reset",
        title=_("Connection to AICC dropped"),
        explanation=_(
            "The connection to AICC was dropped before an answer arrived. The request may or "
            "may not have reached AICC, so a call may have been placed."
        ),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.NETWORK,
        maybe_placed=True,
    ),
    Row(
        "dns",
        title=_("AICC server not found"),
        explanation=_(
            "The console could not find the AICC server by its name. The AICC address in the "
            "console may be wrong, or there is a network problem."
        ),
        next_step=_TRY_LATER_CHECK_URL,
        fixer=Fixer.ADMIN,
        retry=True,
        group=Group.NETWORK,
    ),
    Row(
        "tls",
        title=_("Secure connection to AICC failed"),
        explanation=_(
            "The console could not set up a secure connection to AICC. The server's "
            "certificate may be invalid or expired, or the AICC address may point to the wrong "
            "server."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC base URL. If it is right, the admin "
                "should contact the AICC provider about the certificate."
            ),
            others=_(
                "A console admin should check the AICC base URL. If it is right, the admin "
                "should contact the AICC provider about the certificate."
            ),
            admin=_(
                "Check the AICC base URL. If it is right, contact the AICC provider about the "
                "certificate."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.NETWORK,
    ),
    Row(
        "bad_json",
        title=_("Unreadable answer from AICC"),
        explanation=_(
            "AICC answered, but not in the expected format, so the console cannot tell whether "
            "the request worked. A call may have been placed. The AICC address may point to the "
            "wrong server, or AICC had an error."
        ),
        next_step=Words(
            caller=_(
                "Check your phone and the call history before calling again, so that the "
                "customer is not called twice. If it keeps happening, ask your console admin to "
                "check the AICC base URL."
            ),
            others=_(
                "The customer manager should check their phone and the call history before "
                "calling again, so that the customer is not called twice. If it keeps happening, "
                "a console admin should check the AICC base URL."
            ),
            admin=_(
                "The customer manager should check their phone and the call history before "
                "calling again, so that the customer is not called twice. If it keeps happening, "
                "check the AICC base URL; if it is right, contact the AICC provider."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
        maybe_placed=True,
    ),
    Row(
        "no_retcode",
        title=_("Incomplete answer from AICC"),
        explanation=_(
            "AICC answered without a result code, so the console cannot tell whether the "
            "request worked. A call may have been placed."
        ),
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.PROVIDER,
        retry=False,
        group=Group.PROVIDER,
        maybe_placed=True,
    ),
    # Wrapper: the underlying token failure is decoded separately under source "token".
    Row(
        "token",
        title=_("Could not sign in to AICC"),
        explanation=_(
            "The console could not get an access token from AICC, so the request was not sent. "
            "No call was placed."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC app key, secret and token URL. The "
                "admin can see the exact sign-in error."
            ),
            others=_(
                "A console admin should check the AICC app key, secret and token URL. The admin "
                "can see the exact sign-in error."
            ),
            admin=_(
                "Check the AICC app key, secret and token URL. Test connection in the settings "
                "shows the exact sign-in error."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "config",
        title=_("AICC is not set up"),
        explanation=_(
            "Your organisation has no AICC credentials or AICC address configured in the "
            "console, so nothing can be sent to AICC."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to enter the AICC app key, secret and base URL in the "
                "console settings."
            ),
            others=_(
                "A console admin should enter the AICC app key, secret and base URL in the "
                "console settings."
            ),
            admin=_("Enter the AICC app key, secret and base URL in the settings."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    # Not an AICC answer: the console's outbound rule (calls/services/outbound.py) refused the
    # address before anything was sent.
    Row(
        "blocked",
        title=_("The console does not connect to that address"),
        explanation=_(
            "The AICC address (or the recording's address) points inside a private network, or "
            "to a host that is not this tenant's AICC, so the console did not connect. Nothing "
            "was sent."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the AICC base URL and token URL in the settings."
            ),
            others=_(
                "A console admin should check the AICC base URL and token URL in the settings."
            ),
            admin=_("Check the AICC base URL and token URL in the settings."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    # Not an AICC answer: the console's own sweep found the call stuck in "placing" (the process
    # stopped between saving the call and receiving AICC's answer). The request may have been sent.
    Row(
        "interrupted",
        title=_("The console was interrupted while placing the call"),
        explanation=_(
            "The console stopped before AICC's answer arrived, so it does not know whether the "
            "call was placed. A call may have been placed."
        ),
        next_step=Words(
            caller=CHECK_BEFORE_RECALL.caller,
            others=_(
                "The customer manager should check their phone and the call history before "
                "calling again, so that the customer is not called twice. If it keeps happening, "
                "a console admin should report it to the people who run the console."
            ),
            admin=_(
                "The customer manager should check their phone and the call history before "
                "calling again, so that the customer is not called twice. If it keeps happening, "
                "report it to the people who run the console."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.CONSOLE,
        maybe_placed=True,
    ),
]

FALLBACK = Row(
    title=_("Connection problem with AICC ({code})"),
    explanation=_("The console could not talk to AICC properly (error: {code})."),
    next_step=CHECK_BEFORE_RECALL,
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.NETWORK,
)
