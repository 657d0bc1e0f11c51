"""Whose words a decoded reason is shown in (calls.aicc.reasons.Reader), from who is reading.

The customer manager who placed a call reads "you"; an admin reads the customer manager in the
third person and what an admin does as "you" (never "ask your console admin"); everyone else (a
supervisor, the export) reads "the customer manager" and "a console admin".
"""

from __future__ import annotations

from calls.aicc.reasons import Reader
from console.models import Membership


def reader_for(membership: Membership, call=None) -> Reader:
    """The reader of `call` (or, without a call, of a page of one's own calls or settings) on a
    page for `membership`."""
    if membership.role == Membership.Role.ADMIN:
        return Reader.ADMIN
    if membership.role == Membership.Role.MANAGER and (
        call is None or call.user_id == membership.user_id
    ):
        return Reader.CALLER
    return Reader.OTHERS
