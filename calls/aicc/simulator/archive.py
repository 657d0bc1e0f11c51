"""Calls from before the simulator started: the demo's seeded history.

A real AICC keeps the recordings of a tenant's past calls; the simulator lives in memory and knows
only the calls placed since it started. So that the history `manage.py seed_history` writes for
`make run` has recordings that play (and keeps them when the simulator restarts), a seeded call the
customer answered gets a serial that carries its own proof: 19 digits, "9", twelve digits of its
own, and six check digits derived from the tenant's app key and those twelve. getRecordingAddress
hands out a recording for such a serial of the asking account, and answers "no matching record"
(retCode 5) for any other serial it does not know, as before.
"""

from __future__ import annotations

import hashlib

PREFIX = "9"


def _check(app_key: str, body: str) -> str:
    digest = hashlib.sha256(f"{app_key}:archived:{body}".encode()).hexdigest()
    return f"{int(digest[:12], 16) % 10**6:06d}"


def archived_serial(app_key: str, n: int) -> str:
    """The serial of the `n`-th answered call seeded for the account `app_key`."""
    body = f"{n % 10**12:012d}"
    return PREFIX + body + _check(app_key, body)


def is_archived(app_key: str, serial: str) -> bool:
    """Whether `serial` is one of the answered calls seeded for `app_key`."""
    if len(serial) != 19 or not serial.isdigit() or not serial.startswith(PREFIX):
        return False
    return serial[13:] == _check(app_key, serial[1:13])
