"""The one catalogue of decoded AICC reasons.

Every failure or outcome the console can see (createCall retCodes, HTTP statuses, transport
errors, token failures, query retCodes, call end reasons, call states) is decoded here into a
short title, a plain-language explanation for the customer manager who clicked, the next step,
who can fix it and whether an identical retry could succeed later.

The UI, CSV exports and the simulator all read this package.  It holds data only: no ORM, no
I/O.  Every user-facing string is wrapped in ``gettext_lazy`` (English source, Simplified
Chinese in locale/), so the catalogue can be built at import time and rendered in the language
active when it is displayed.

One module per source holds that source's table and its fallback for unknown codes:
create_call, http, transport, console (the console refused a call before sending it), token,
queries (queryCallState, queryCallDetailRecord, queryPhone,
getRecordingAddress), outcome (AICC call end reasons), q850 (ITA call end reasons, source
"outcome_ita") and state.  core holds the types, wording the next steps several sources share,
catalogue the assembly and decoding.

Sources for the codes: docs/vendor/createCall-v3.txt and docs/vendor/aicc-api.md.  Where the
vendor documentation is silent and a meaning was chosen, a comment says so.

Usage::

    reason = decode("createCall", payload.get("retCode"))
    reason.title, reason.explanation, reason.next_step, reason.fixer.label(), reason.retry
"""

from .catalogue import SOURCES, all_reasons, decode, is_success, normalize_code, reasons_for
from .core import Fixer, Reason

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
