"""Console: the console refused the call before sending anything (not an AICC answer).

Codes are chosen by the console (lower-case words). The rules are calls/call_input.py, the same
for the web form, the command line and any later API; the stored detail names the fields.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Row

REASONS = [
    Row(
        "input",
        title=_("Refused by the console: a value is not valid"),
        explanation=_(
            "The console did not send this call to AICC because the customer's number, the call "
            "data or the number shown to the customer is not valid. No call was placed."
        ),
        next_step=_("Correct the value and call again."),
        fixer=Fixer.CALLER,
        retry=False,
    ),
    Row(
        "agent_number",
        title=_("Refused by the console: your phone number is not valid"),
        explanation=_(
            "The console did not send this call to AICC because the softphone or calling number "
            "assigned to you is not a valid phone number. No call was placed."
        ),
        next_step=_("Ask your console admin to correct the numbers assigned to you."),
        fixer=Fixer.ADMIN,
        retry=False,
    ),
]

FALLBACK = Row(
    title=_("Refused by the console ({code})"),
    explanation=_("The console did not send this call to AICC ({code}). No call was placed."),
    next_step=_("Tell your console admin."),
    fixer=Fixer.ADMIN,
    retry=False,
)
