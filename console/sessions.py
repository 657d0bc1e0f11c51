"""Django's database sessions, in console.models.Session: each row also names the user it is
logged in as, so a user's sessions can be found (and go with the user). The session is read with
a query prepared once (console/prepared.py): it runs on every page."""

import logging
from datetime import datetime

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils import timezone

from console.models import Session
from console.prepared import Prepared

_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1],
    key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
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
        # As Django's own, with the query prepared.
        try:
            session = _SESSION.first(key=self.session_key or "", now=timezone.now())
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        return session
