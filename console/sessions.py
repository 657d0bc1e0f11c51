"""Django's database sessions, in console.models.Session: each row also names the user it is
logged in as, so a user's sessions can be found (and go with the user)."""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError

from console.models import Session


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
