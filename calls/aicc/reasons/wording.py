"""Next steps shared by several sources (the same lazy string is reused by several codes)."""

from django.utils.translation import gettext_lazy as _

NOTHING_TO_DO = _("Nothing to do.")
ADMIN_THEN_PROVIDER = _(
    "Tell your console admin. The admin should ask the AICC provider to look into it."
)
TRY_LATER = _("Try again in a few minutes. If it keeps happening, tell your console admin.")
CHECK_BEFORE_RECALL = _(
    "Check your phone and the call history before calling again, so that the customer is not "
    "called twice. If it keeps happening, tell your console admin."
)
CONSOLE_FAULT = _(
    "Tell your console admin. This points to a fault in the console, not in your data."
)
CUSTOMER_UNREACHABLE_NEXT = _("Try again later, or contact the customer another way.")
