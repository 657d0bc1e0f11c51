"""Transport: the request got no usable answer.

Codes are chosen by the console's client (lower-case words, not numbers).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Row
from .wording import CHECK_BEFORE_RECALL

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
    ),
    Row(
        "refused",
        title=_("AICC refused the connection"),
        explanation=_(
            "The console could not connect to AICC because the connection was refused. AICC "
            "may be down, or the AICC address in the console may be wrong."
        ),
        next_step=_(
            "Try again in a few minutes. If it keeps happening, ask your console admin to check "
            "the AICC base URL."
        ),
        fixer=Fixer.ADMIN,
        retry=True,
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
    ),
    Row(
        "dns",
        title=_("AICC server not found"),
        explanation=_(
            "The console could not find the AICC server by its name. The AICC address in the "
            "console may be wrong, or there is a network problem."
        ),
        next_step=_(
            "Try again in a few minutes. If it keeps happening, ask your console admin to check "
            "the AICC base URL."
        ),
        fixer=Fixer.ADMIN,
        retry=True,
    ),
    Row(
        "tls",
        title=_("Secure connection to AICC failed"),
        explanation=_(
            "The console could not set up a secure connection to AICC. The server's "
            "certificate may be invalid or expired, or the AICC address may point to the wrong "
            "server."
        ),
        next_step=_(
            "Ask your console admin to check the AICC base URL. If it is right, the admin "
            "should contact the AICC provider about the certificate."
        ),
        fixer=Fixer.ADMIN,
        retry=False,
    ),
    Row(
        "bad_json",
        title=_("Unreadable answer from AICC"),
        explanation=_(
            "AICC answered, but not in the expected format. The AICC address may point to the "
            "wrong server, or AICC had an error."
        ),
        next_step=_(
            "Ask your console admin to check the AICC base URL. If it is right, the admin "
            "should contact the AICC provider."
        ),
        fixer=Fixer.ADMIN,
        retry=False,
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
    ),
    # Wrapper: the underlying token failure is decoded separately under source "token".
    Row(
        "token",
        title=_("Could not sign in to AICC"),
        explanation=_(
            "The console could not get an access token from AICC, so the request was not sent. "
            "No call was placed."
        ),
        next_step=_(
            "Ask your console admin to check the AICC app key, secret and token URL. The admin "
            "can see the exact sign-in error."
        ),
        fixer=Fixer.ADMIN,
        retry=False,
    ),
    Row(
        "config",
        title=_("AICC is not set up"),
        explanation=_(
            "Your organisation has no AICC credentials or AICC address configured in the "
            "console, so nothing can be sent to AICC."
        ),
        next_step=_(
            "Ask your console admin to enter the AICC app key, secret and base URL in the "
            "console settings."
        ),
        fixer=Fixer.ADMIN,
        retry=False,
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
        next_step=_(
            "Ask your console admin to check the AICC base URL and token URL in the settings."
        ),
        fixer=Fixer.ADMIN,
        retry=False,
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
        next_step=CHECK_BEFORE_RECALL,
        fixer=Fixer.ADMIN,
        retry=False,
    ),
]

FALLBACK = Row(
    title=_("Connection problem with AICC ({code})"),
    explanation=_("The console could not talk to AICC properly (error: {code})."),
    next_step=CHECK_BEFORE_RECALL,
    fixer=Fixer.PROVIDER,
    retry=False,
)
