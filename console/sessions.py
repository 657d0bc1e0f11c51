"""Django's database sessions, in console.models.Session: each row also names the user it is
logged in as, so a user's sessions can be found (and go with the user).

The session is read with a query prepared once (console/prepared.py): it runs on every page. On a
tenant page (`t/<uuid:tenant_code>/...`) the same query also reads the session's user and their
membership of that tenant; `console.auth.Backend` and `console.tenancy.TenantMiddleware` then take
them from the session instead of asking again (docs/performance.md). Without such a membership
(an outsider, or no tenant in the URL) the session is read on its own.
"""

import logging
from datetime import datetime
from uuid import UUID

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from console.logging import current_request
from console.models import Membership, Session
from console.prepared import Prepared

_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1],
    key=str,
    now=datetime,
)
_MEMBERSHIP_WITH_SESSION = Prepared(
    lambda code, key, now: (
        Membership.objects.annotate(
            session=FilteredRelation(
                "user__sessions",
                condition=Q(user__sessions__session_key=key, user__sessions__expire_date__gt=now),
            )
        )
        .select_related("user", "tenant", "session")
        .filter(tenant__code=code, session__isnull=False)[:1]
    ),
    code=UUID,
    key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    loaded_user = None  # the user read with the session, on a tenant page
    loaded_membership = None  # and their membership of the page's tenant

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
        code = _tenant_code(current_request.get())
        if code is not None and self.session_key:
            membership = _MEMBERSHIP_WITH_SESSION.first(
                code=code, key=self.session_key, now=timezone.now()
            )
            if membership is not None:
                self.loaded_user, self.loaded_membership = membership.user, membership
                return membership.session
        # As Django's own, with the query prepared.
        try:
            session = _SESSION.first(key=self.session_key or "", now=timezone.now())
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            session = None
        if session is None:
            self._session_key = None
        return session


def _tenant_code(request) -> UUID | None:
    """The tenant code in the request's URL, once it is resolved (the session is read lazily, at
    the first look at request.user, which TenantMiddleware.process_view makes)."""
    match = getattr(request, "resolver_match", None)
    code = match.kwargs.get("tenant_code") if match is not None else None
    return code if isinstance(code, UUID) else None
