"""Django's ModelBackend, with the user looked up by a query prepared once (console/prepared.py):
it runs on every page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from console.prepared import Prepared

User = get_user_model()
_USER = Prepared(lambda pk: User._default_manager.filter(pk=pk)[:1], pk=int)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = _USER.first(pk=int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
