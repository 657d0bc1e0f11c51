"""What the session remembers about two-factor sign-in, read without a query on every page.

* `VERIFIED` (django-otp's own session key): the persistent id of the device that verified this
  login, or that the person confirmed while signed in. A tenant that requires two-factor
  (`Membership.requires_two_factor`) lets a session in only with it (console.tenancy).
* `PENDING`: a sign-in half done: the password was right, the code is still to come. The session
  is not logged in meanwhile (no user in it), and the pending step expires.

The mark stays true because every change of a person's devices ends their other sessions
(console/services/two_factor.py): turning it on or off, and an admin's reset (which ends them
all). So a session with the mark belongs to someone with a confirmed device, and a person with a
confirmed device has no session without it.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY

VERIFIED = DEVICE_ID_SESSION_KEY
PENDING = "two_factor_pending"
PENDING_SECONDS = 300  # the code step must follow the password within five minutes


def verified(session) -> bool:
    return bool(session.get(VERIFIED))


def mark_verified(session, device) -> None:
    session[VERIFIED] = device.persistent_id


def forget_verified(session) -> None:
    session.pop(VERIFIED, None)


def start_pending(session, *, user_id: int, backend: str, next_url: str) -> None:
    session[PENDING] = {
        "user": user_id,
        "backend": backend,
        "next": next_url,
        "since": int(time.time()),
    }


def pending(session) -> dict | None:
    """The half-done sign-in, or None (none, or it expired: then it is forgotten)."""
    data = session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - data.get("since", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return data


def end_pending(session) -> None:
    session.pop(PENDING, None)
