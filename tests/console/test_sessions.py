"""Sessions live in console.models.Session and name their user (console/sessions.py)."""

from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY
from django.core.management import call_command

from console.models import Session
from console.sessions import SessionStore


def test_a_session_follows_its_user(db, manager):
    anonymous = SessionStore()
    anonymous["x"] = 1
    anonymous.create()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None
    assert SessionStore(anonymous.session_key).load() == {"x": 1}
    logged_in = SessionStore()
    logged_in[SESSION_KEY] = str(manager.pk)
    logged_in.create()
    assert Session.objects.get(session_key=logged_in.session_key).user_id == manager.pk
    manager.delete()
    assert not Session.objects.filter(session_key=logged_in.session_key).exists()
    assert Session.objects.filter(session_key=anonymous.session_key).exists()
    Session.objects.filter(session_key=anonymous.session_key).update(
        expire_date=datetime(2000, 1, 1, tzinfo=UTC)
    )
    call_command("clearsessions")  # the daily clean-up (docs/deploy.md) empties this table
    assert not Session.objects.exists()


def test_a_deactivated_user_is_logged_out(client, manager, tenant):
    client.force_login(manager)
    assert client.get(f"/t/{tenant.code}/call/").status_code == 200
    manager.is_active = False
    manager.save()
    r = client.get(f"/t/{tenant.code}/call/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
