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

Every reason has the words for the person reading it (core.Reader): the customer manager who
placed the call reads "you"; a supervisor, an admin and the export read "the customer manager";
an admin reads "you" for what an admin fixes and is never told to ask their console admin.  Each
reason also belongs to one meaning group (core.Group), which the history's reason filter offers,
and says whether a call may have been placed (``maybe_placed``: check before calling again).

Usage::

    reason = decode("createCall", payload.get("retCode"))  # the caller's words
    reason.title, reason.explanation, reason.next_step, reason.fixer.label(), reason.retry
    decode("outcome", 4, reader=Reader.OTHERS).title  # "The customer manager did not answer ..."
    reason.for_reader("admin").next_step, reason.who, reason.retry_advice, reason.group
"""

from .catalogue import (
    SOURCES,
    all_reasons,
    decode,
    fallback_reasons,
    is_success,
    normalize_code,
    reasons_for,
    reasons_in,
)
from .core import Fixer, Group, Reader, Reason, Words

__all__ = [
    "SOURCES",
    "Fixer",
    "Group",
    "Reader",
    "Reason",
    "Words",
    "all_reasons",
    "decode",
    "fallback_reasons",
    "is_success",
    "normalize_code",
    "reasons_for",
    "reasons_in",
]
