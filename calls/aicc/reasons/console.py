"""Console: the console refused the call before sending anything (not an AICC answer).

Codes are chosen by the console (lower-case words). The rules are calls/call_input.py, the same
for the web form, the command line and any later API; the stored detail names the fields.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .core import Fixer, Group, Row, Words

REASONS = [
    Row(
        "input",
        title=_("Refused by the console: a value is not valid"),
        explanation=_(
            "The console did not send this call to AICC because the customer's number, the call "
            "data or the number shown to the customer is not valid. No call was placed."
        ),
        next_step=Words(
            caller=_("Correct the value and call again."),
            others=_("The customer manager should correct the value and call again."),
            admin=_("The customer manager should correct the value and call again."),
        ),
        fixer=Fixer.CALLER,
        retry=False,
        group=Group.NUMBER,
    ),
    Row(
        "agent_number",
        title=Words(
            caller=_("Refused by the console: your phone number is not valid"),
            others=_("Refused by the console: the customer manager's phone number is not valid"),
            admin=_("Refused by the console: the customer manager's phone number is not valid"),
        ),
        explanation=Words(
            caller=_(
                "The console did not send this call to AICC because the softphone or calling "
                "number assigned to you is not a valid phone number. No call was placed."
            ),
            others=_(
                "The console did not send this call to AICC because the softphone or calling "
                "number assigned to the customer manager is not a valid phone number. No call "
                "was placed."
            ),
            admin=_(
                "The console did not send this call to AICC because the softphone or calling "
                "number assigned to the customer manager is not a valid phone number. No call "
                "was placed."
            ),
        ),
        next_step=Words(
            caller=_("Ask your console admin to correct the numbers assigned to you."),
            others=_(
                "A console admin should correct the numbers assigned to the customer manager."
            ),
            admin=_("Correct the softphone mapping of the customer manager."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    # The API's refusals before a call is recorded (the call page says the same in its own
    # words): the token's person has no enabled softphone, or is not a customer manager.
    Row(
        "no_softphone",
        title=Words(
            caller=_("Refused by the console: you have no softphone"),
            others=_("Refused by the console: the customer manager has no softphone"),
        ),
        explanation=Words(
            caller=_(
                "AICC rings your softphone first, then the customer, so a call needs a softphone "
                "number mapped to you (or yours is disabled). No call was placed."
            ),
            others=_(
                "AICC rings the customer manager's softphone first, then the customer, so a call "
                "needs a softphone number mapped to them (or theirs is disabled). No call was "
                "placed."
            ),
        ),
        next_step=Words(
            caller=_("Ask your console admin to map a softphone number to you."),
            others=_("A console admin should map a softphone number to the customer manager."),
            admin=_("Map a softphone number to the customer manager on the Softphones page."),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
    Row(
        "call_in_progress",
        title=Words(
            caller=_("Refused by the console: you have a call in progress"),
            others=_("Refused by the console: the customer manager has a call in progress"),
        ),
        explanation=Words(
            caller=_(
                "Your softphone carries one call at a time, and your last call has not ended "
                "yet. Nothing was sent to AICC."
            ),
            others=_(
                "The customer manager's softphone carries one call at a time, and their last "
                "call has not ended yet. Nothing was sent to AICC."
            ),
        ),
        next_step=Words(
            caller=_("Wait until that call ends (call_id names it), then place this one."),
            others=_(
                "The customer manager should wait until that call ends (call_id names it), then "
                "place this one."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.BUSY,
    ),
    Row(
        "wrapup_pending",
        title=Words(
            caller=_("Refused by the console: wrap up your last call first"),
            others=_("Refused by the console: the customer manager has a call to wrap up"),
        ),
        explanation=Words(
            caller=_(
                "This tenant asks for each answered call to be wrapped up (a disposition, and a "
                "note if needed) before the next one is placed, and a call of yours is still "
                "awaiting its wrap-up. Nothing was sent to AICC."
            ),
            others=_(
                "This tenant asks customer managers to wrap up each answered call before placing "
                "the next one, and a call of theirs is still awaiting its wrap-up. Nothing was "
                "sent to AICC."
            ),
        ),
        next_step=Words(
            caller=_(
                "Wrap up that call (call_id names it: on the call page, or POST "
                "/api/v1/calls/<id>/wrap-up), then place this one."
            ),
            others=_(
                "The customer manager should wrap up that call (call_id names it), then place "
                "this one."
            ),
            admin=_(
                "The customer manager should wrap up that call (call_id names it), then place "
                "this one. Whether calls wait for wrap-ups is set on the Wrap-up page."
            ),
        ),
        fixer=Fixer.CALLER,
        retry=True,
        group=Group.BUSY,
    ),
    Row(
        "not_manager",
        title=Words(
            caller=_("Refused by the console: your role does not place calls"),
            others=_("Refused by the console: only customer managers place calls"),
        ),
        explanation=Words(
            caller=_(
                "Calls are placed from the caller's own softphone, by the role that places "
                "calls, and your role in this tenant is another. No call was placed."
            ),
            others=_(
                "Calls are placed from a customer manager's own softphone, and this person is "
                "not a customer manager in the tenant. No call was placed."
            ),
        ),
        next_step=Words(
            caller=_(
                "Use the API token of the person who is to call, or ask your console admin to "
                "change your role."
            ),
            others=_(
                "The call needs the API token of the customer manager who is to call, or a "
                "console admin changes this person's role."
            ),
            admin=_(
                "Use the API token of the customer manager who is to call, or change this "
                "person's role on the People page."
            ),
        ),
        fixer=Fixer.ADMIN,
        retry=False,
        group=Group.SETTINGS,
    ),
]

FALLBACK = Row(
    title=_("Refused by the console ({code})"),
    explanation=_("The console did not send this call to AICC ({code}). No call was placed."),
    next_step=Words(
        caller=_("Tell your console admin."),
        others=_("A console admin should look into it."),
        admin=_("Look into it: the console's log names the rule."),
    ),
    fixer=Fixer.ADMIN,
    retry=False,
    group=Group.CONSOLE,
)
