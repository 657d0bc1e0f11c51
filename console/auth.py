"""Django's ModelBackend, taking the user that came with the request's session on a tenant page
(console/sessions.py), and otherwise looking it up with a query prepared once
(console/prepared.py): it runs on every page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from console.logging import current_request
from console.prepared import Prepared

User = get_user_model()
_USER = Prepared(lambda pk: User._default_manager.filter(pk=pk)[:1], pk=int)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        session = getattr(current_request.get(), "session", None)
        user = getattr(session, "loaded_user", None)
        if user is None or user.pk != pk:
            user = _USER.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None
