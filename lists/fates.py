"""What a call's wrap-up does to the list entry it was placed from: its fate.

- done: the entry is finished (the customer was reached and the list's purpose served);
- retry: back in the queue after the list's retry interval ("call again later"), until the
  list's maximum attempts per entry, then closed;
- closed: never offered again (not interested, a number that does not work).

The tenant's dispositions decide it (calls/services/dispositions.py). The default ones:

| disposition | fate |
|---|---|
| Interested | done |
| Call back later | retry |
| Not interested | closed |
| Wrong person / Voicemail | retry (voicemail: the customer may answer next time; the list's maximum attempts bounds it) |
| No answer, Busy (automatic) | retry |
| Invalid number (automatic) | closed |

A disposition the admin added: connected -> done, not connected -> retry (docs/call-lists.md).
"""

from calls.models import Disposition

DONE, RETRY, CLOSED = "done", "retry", "closed"

BY_KEY = {
    "interested": DONE,
    "call_back": RETRY,
    "not_interested": CLOSED,
    "wrong_person": RETRY,
    "no_answer": RETRY,
    "busy": RETRY,
    "invalid_number": CLOSED,
}


def fate_of(disposition: Disposition | None) -> str:
    """The fate a wrap-up with this disposition gives its list entry."""
    if disposition is None:
        return RETRY
    fate = BY_KEY.get(disposition.key)
    if fate is not None:
        return fate
    return DONE if disposition.group == Disposition.Kind.CONNECTED else RETRY
