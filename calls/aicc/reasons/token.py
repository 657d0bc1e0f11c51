"""tokenByAkSk HTTP status.

Huawei documents no error responses for this interface; these meanings come from the generic
status notes and a field report (aicc-api.md section 1).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words
from .wording import NOTHING_TO_DO, TRY_LATER

_CHECK_TOKEN_SETTINGS = Words(
    caller=_("Ask your console admin to check the AICC token URL, app key and secret."),
    others=_("A console admin should check the AICC token URL, app key and secret."),
    admin=_("Check the AICC token URL, app key and secret in the settings."),
)

REASONS = [
    Row(
        "200",
        title=_("Signed in to AICC"),
        explanation=_("AICC issued an access token to the console."),
        next_step=NOTHING_TO_DO,
        fixer=Fixer.NOBODY,
        retry=False,
        group=Group.OK,
    ),
    Row(
        "400",
        title=_("Sign-in request rejected"),
        explanation=_(
            "AICC rejected the console's sign-in request as incorrect. The token URL or the app "
            "key settings may be wrong."
        ),
        next_step=_CHECK_TOKEN_SETTINGS,
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "401",
        title=_("Sign-in refused"),
        explanation=_(
            "AICC refused the console's sign-in. The app key or secret may be wrong, the "
            "service may not have been purchased, or there may be a problem with the account."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the app key and secret. If they are correct, "
                "the admin should ask the AICC provider to check the account."
            ),
            others=_(
                "A console admin should check the app key and secret. If they are correct, the "
                "admin should ask the AICC provider to check the account."
            ),
            admin=_(
                "Check the app key and secret. If they are correct, ask the AICC provider to "
                "check the account."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "403",
        title=_("Sign-in forbidden"),
        explanation=_(
            "AICC refused the console's sign-in. Usually the app key or secret is wrong, or the "
            "console server's internet address is not on AICC's allowlist."
        ),
        next_step=Words(
            caller=_(
                "Ask your console admin to check the app key and secret. If they are correct, "
                "the admin should ask the AICC provider to allowlist the console server's "
                "address."
            ),
            others=_(
                "A console admin should check the app key and secret. If they are correct, the "
                "admin should ask the AICC provider to allowlist the console server's address."
            ),
            admin=_(
                "Check the app key and secret. If they are correct, ask the AICC provider to "
                "allowlist the console server's address."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "404",
        title=_("Sign-in address not found"),
        explanation=_(
            "The token URL configured in the console is wrong. Some AICC installations need "
            "port 28070 in the token URL, others must not have it."
        ),
        next_step=Words(
            caller=_("Ask your console admin to check the AICC token URL."),
            others=_("A console admin should check the AICC token URL."),
            admin=_("Check the AICC token URL in the settings."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "500",
        title=_("AICC sign-in service error"),
        explanation=_("The AICC sign-in service had an internal error."),
        next_step=TRY_LATER,
        fixer=Fixer.PROVIDER,
        retry=True,
        group=Group.PROVIDER,
    ),
]

FALLBACK = Row(
    title=_("Sign-in to AICC failed (HTTP {code})"),
    explanation=_("AICC refused the console's sign-in with an unexpected HTTP status ({code})."),
    next_step=_CHECK_TOKEN_SETTINGS,
    fixer=Fixer.ADMIN,
    retry=False,
    group=Group.SETTINGS,
)

# An unknown 5xx is a server-side problem that may go away.
FALLBACK_5XX = Row(
    title=_("Sign-in to AICC failed (HTTP {code})"),
    explanation=_("The AICC sign-in service had a server problem (HTTP status {code})."),
    next_step=TRY_LATER,
    fixer=Fixer.PROVIDER,
    retry=True,
    group=Group.PROVIDER,
)
