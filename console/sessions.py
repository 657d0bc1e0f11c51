"""Django's database sessions, with the per-request session lookup prepared once
(console/prepared.py): it runs on every page."""

import logging
from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from console.prepared import Prepared

_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        try:
            session = _SESSION.first(key=self.session_key or "", now=timezone.now())
        except SuspiciousOperation as e:  # as in Django's own store
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        return session
