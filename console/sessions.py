"""Django's database sessions, read with their user in one prepared query (console/prepared.py):
it runs on every page.

The session row carries the id of the user it is logged in as (`console.models.Session.user`,
set on every save from the session's own `_auth_user_id`). Loading a session also loads that
user; `console.auth.Backend.get_user` takes it from there instead of asking again. Everything
else (the session data, its signature, the auth hash check in `django.contrib.auth.get_user`)
is Django's own.
"""

import logging
from datetime import datetime
from uuid import UUID

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils import timezone

from console.access import membership_with_session
from console.logging import current_request
from console.models import Session
from console.prepared import Prepared

_SESSION = Prepared(
    lambda key, now: Session.objects.select_related("user").filter(
        session_key=key, expire_date__gt=now
    ),
    key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    # The user row read with the session (None: no session, or not logged in).
    loaded_user = None
    # On a tenant page: the user's Membership there, read with the session (console.access).
    loaded_membership = None

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        try:
            obj.user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            obj.user_id = None
        return obj

    def _get_session_from_db(self):
        self.loaded_user = self.loaded_membership = None
        code = _tenant_of(current_request.get())
        if code is not None and self.session_key:
            m = membership_with_session(code, self.session_key, timezone.now())
            if m is not None:
                self.loaded_user, self.loaded_membership = m.user, m
                return m.session
        try:
            session = _SESSION.first(key=self.session_key or "", now=timezone.now())
        except SuspiciousOperation as e:  # as in Django's own store
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        else:
            self.loaded_user = session.user
        return session


def _tenant_of(request) -> UUID | None:
    """The tenant code in the request's URL (`t/<uuid:tenant>/...`), once it is resolved."""
    match = getattr(request, "resolver_match", None)
    code = match.kwargs.get("tenant") if match is not None else None
    return code if isinstance(code, UUID) else None
