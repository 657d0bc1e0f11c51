"""Login throttling (django-axes) and the password change and reset pages."""

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post("/accounts/login/", {"username": "alice", "password": password})


def test_five_wrong_passwords_lock_the_login(client, admin):
    for _ in range(4):
        assert login(client, "wrong").status_code == 200  # the form again, with its error
    r = login(client, "wrong")
    assert r.status_code in (403, 429)
    assert "Too many failed logins" in r.content.decode()
    r = login(client, PASSWORD)  # even the right password waits now
    assert r.status_code in (403, 429) and "Wait 15 minutes" in r.content.decode()


def test_the_right_password_before_the_limit_logs_in(client, admin):
    for _ in range(3):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


def test_password_change_page_uses_the_console_layout(client, admin):
    client.force_login(admin)
    r = client.get("/accounts/password_change/")
    body = r.content.decode()
    assert r.status_code == 200 and 'class="top"' in body and 'name="new_password1"' in body
    r = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a fresh long phrase 42",
            "new_password2": "a fresh long phrase 42",
        },
        follow=True,
    )
    assert "Password changed" in r.content.decode()


def test_password_reset_sends_a_link(client, admin):
    admin.email = "alice@example.com"
    admin.save()
    r = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
    assert "Check your e-mail" in r.content.decode() and 'class="top"' in r.content.decode()
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_mails_are_limited_per_address_and_per_client(client, admin, settings):
    """21 requests in a second sent 21 e-mails before (security finding 8); the page answers the
    same whether or not a mail went out."""
    from django.contrib.auth.models import User

    admin.email = "alice@example.com"
    admin.save()
    settings.PASSWORD_RESET_PER_EMAIL, settings.PASSWORD_RESET_PER_CLIENT = 3, 5
    for _ in range(6):
        r = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
        assert r.status_code == 200 and "Check your e-mail" in r.content.decode()
    assert len(mail.outbox) == 3
    for n in range(3):  # other addresses, from the same client: its cap (5) is reached at once
        User.objects.create_user(f"u{n}", email=f"u{n}@example.com", password="x-Pass-2026!")
        client.post("/accounts/password_reset/", {"email": f"u{n}@example.com"})
    assert len(mail.outbox) == 3
    other_client = {"REMOTE_ADDR": "192.0.2.9"}
    client.post("/accounts/password_reset/", {"email": "u0@example.com"}, **other_client)
    assert len(mail.outbox) == 4 and mail.outbox[-1].to == ["u0@example.com"]


def test_many_usernames_from_one_address_are_capped(client, admin, settings):
    """Guessing across usernames from one address stops at LOGIN_FAILURES_PER_CLIENT (security
    finding 4); another address still logs in."""
    settings.LOGIN_FAILURES_PER_CLIENT = 6
    for n in range(6):  # each username stays under its own limit of 5
        r = client.post("/accounts/login/", {"username": f"guess{n}", "password": "wrong"})
        assert r.status_code == 200
    r = login(client, PASSWORD)
    assert r.status_code == 429 and "Too many failed logins" in r.content.decode()
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.44",
    )
    assert elsewhere.status_code == 302


def test_a_new_password_lifts_the_lockout(client, admin):
    """Locked out by wrong passwords (from anyone at the same address), the person gets back in
    by password reset (security finding 4)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for _ in range(5):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code in (403, 429)
    uid = urlsafe_base64_encode(force_bytes(admin.pk))
    token = default_token_generator.make_token(admin)
    r = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    form_url = r.redirect_chain[-1][0]
    new = "A-new-pass-2026!"
    r = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert r.status_code == 302
    assert login(client, new).status_code == 302
