"""Next steps shared by several sources (the same lazy string is reused by several codes).

Each is in every reader's words (core.Words): the caller reads "you", others read "the customer
manager" and "a console admin", an admin reads what to do as an admin.
"""

from django.utils.translation import gettext_lazy as _

from .core import Words

NOTHING_TO_DO = _("Nothing to do.")
ADMIN_THEN_PROVIDER = Words(
    caller=_("Tell your console admin. The admin should ask the AICC provider to look into it."),
    others=_("A console admin should ask the AICC provider to look into it."),
    admin=_("Ask the AICC provider to look into it."),
)
TRY_LATER = Words(
    caller=_("Try again in a few minutes. If it keeps happening, tell your console admin."),
    others=_(
        "It may work again in a few minutes. If it keeps happening, a console admin should ask "
        "the AICC provider to look into it."
    ),
    admin=_(
        "It may work again in a few minutes. If it keeps happening, ask the AICC provider to "
        "look into it."
    ),
)
CHECK_BEFORE_RECALL = Words(
    caller=_(
        "Check your phone and the call history before calling again, so that the customer is "
        "not called twice. If it keeps happening, tell your console admin."
    ),
    others=_(
        "The customer manager should check their phone and the call history before calling "
        "again, so that the customer is not called twice. If it keeps happening, a console "
        "admin should ask the AICC provider to look into it."
    ),
    admin=_(
        "The customer manager should check their phone and the call history before calling "
        "again, so that the customer is not called twice. If it keeps happening, ask the AICC "
        "provider to look into it."
    ),
)
CONSOLE_FAULT = Words(
    caller=_("Tell your console admin. This points to a fault in the console, not in your data."),
    others=_(
        "A console admin should report it to the people who run the console. This points to a "
        "fault in the console, not in the data entered."
    ),
    admin=_(
        "Report it to the people who run the console. This points to a fault in the console, "
        "not in the data entered."
    ),
)
CUSTOMER_UNREACHABLE_NEXT = Words(
    caller=_("Try again later, or contact the customer another way."),
    others=_("The customer manager can call again later, or contact the customer another way."),
)
# The customer manager's phone rings: only the caller has something to do.
ANSWER_WHEN_IT_RINGS = Words(caller=_("Answer your phone when it rings."), others=NOTHING_TO_DO)
