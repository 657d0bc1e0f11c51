"""Two-factor sign-in (issue 15): turning it on with a code, the code step of signing in, wrong
codes refused and limited, recovery codes, the tenant's requirement, an admin's reset."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.models import AuditEntry, Membership, Session, Tenant
from console.two_factor import VERIFIED
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN, STEP = "/accounts/login/", "/accounts/login/two-factor/"
PAGE = "/accounts/two-factor/"
CODE_SHAPE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture(autouse=True)
def clock(time_machine):
    """Time stands still, and moves on a 30-second step when a test says so: an app code works
    once (django-otp refuses a step already used)."""
    time_machine.move_to("2026-05-04 09:00:00+00:00", tick=False)
    return time_machine


def code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def enable(user) -> tuple[TOTPDevice, list[str]]:
    """Two-factor on for `user`, as the setup page leaves it: an app and ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(10)]
    for t in tokens:
        static.token_set.create(token=t)
    return device, [f"{t[:4]}-{t[4:]}" for t in tokens]


def sign_in(client, username, *, next_url=None, **extra):
    data = {"username": username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def two_factor_on(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# ---- turning it on ----------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_needs_a_valid_code(client, admin, tenant, clock):
    client.force_login(admin)
    r = client.get(PAGE)
    assert r.status_code == 200 and "Two-factor sign-in is off" in r.content.decode()
    r = client.post("/accounts/two-factor/setup/")
    body = r.content.decode()
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed and "<svg" in body and 'class="qr"' in body
    assert "no-store" in r["Cache-Control"]
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', body)[1]
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "")) == device.bin_key  # typed by hand, it works too
    # An unconfirmed app counts for nothing: no second step at sign-in, no requirement met.
    assert not two_factor_on(admin)

    r = client.post("/accounts/two-factor/confirm/", {"code": "000000"})
    assert r.status_code == 200 and "That code is not right" in r.content.decode()
    assert not two_factor_on(admin) and not client.session.get(VERIFIED)

    r = client.post("/accounts/two-factor/confirm/", {"code": code(device)})
    codes = CODE_SHAPE.findall(r.content.decode())
    assert r.status_code == 200 and len(set(codes)) == 10
    assert "no-store" in r["Cache-Control"]
    assert two_factor_on(admin) and client.session[VERIFIED] == device.persistent_id
    entry = AuditEntry.objects.get(action="two_factor.on", tenant=tenant)
    assert entry.actor == admin and entry.target == "alice"
    assert entry.changes == {"two_factor": [False, True]}
    page = client.get(PAGE).content.decode()
    assert "Two-factor sign-in is on" in page and "10 unused recovery codes" in page
    assert not CODE_SHAPE.search(page)  # shown once, never again


def test_an_unconfirmed_app_does_not_ask_for_a_code(client, admin):
    TOTPDevice.objects.create(user=admin, name="half set up", confirmed=False)
    r = sign_in(client, "alice")
    assert r.status_code == 302 and r["Location"] == "/" and logged_in(client)


def test_turning_it_on_signs_out_the_other_sessions(client, admin):
    elsewhere = Client()
    elsewhere.force_login(admin)
    client.force_login(admin)
    client.post("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=admin)
    client.post("/accounts/two-factor/confirm/", {"code": code(device)})
    assert Session.objects.filter(user=admin).count() == 1
    assert not logged_in(elsewhere) and logged_in(client)


# ---- signing in -------------------------------------------------------------------------------


def test_signing_in_needs_the_code_after_the_password(client, admin, tenant):
    device, _codes = enable(admin)
    r = sign_in(client, "alice")
    assert r.status_code == 302 and r["Location"] == STEP
    assert not logged_in(client)  # the password alone logs nobody in
    assert client.get(f"/t/{tenant.code}/settings/")["Location"].startswith(LOGIN)
    assert not Session.objects.filter(user=admin).exists()
    r = client.get(STEP)
    assert r.status_code == 200 and "Signing in as <strong>alice</strong>" in r.content.decode()
    r = client.post(STEP, {"code": code(device)})
    assert r.status_code == 302 and r["Location"] == "/"
    assert logged_in(client) and client.session[VERIFIED] == device.persistent_id
    assert client.get(f"/t/{tenant.code}/settings/").status_code == 200


def test_the_code_step_keeps_a_safe_next_only(client, admin, tenant, clock):
    device, _codes = enable(admin)
    people = f"/t/{tenant.code}/people/"
    sign_in(client, "alice", next_url=people)
    assert client.post(STEP, {"code": code(device)})["Location"] == people
    client.post("/accounts/logout/")
    clock.shift(30)
    sign_in(client, "alice", next_url="https://evil.example/")
    assert client.post(STEP, {"code": code(device)})["Location"] == "/"


def test_the_code_step_without_a_password_goes_to_the_login(client, admin):
    enable(admin)
    assert client.get(STEP)["Location"] == LOGIN
    assert client.post(STEP, {"code": "123456"})["Location"] == LOGIN
    assert not logged_in(client)


def test_the_code_step_expires(client, admin, clock):
    device, _codes = enable(admin)
    sign_in(client, "alice")
    clock.shift(301)
    r = client.post(STEP, {"code": code(device)}, follow=True)
    assert "Signing in took too long" in r.content.decode() and not logged_in(client)


def test_wrong_codes_are_refused_then_limited(client, admin, settings):
    settings.TWO_FACTOR_FAILURES_PER_USER = 3
    device, codes = enable(admin)
    sign_in(client, "alice")
    for wrong in ("000000", "abcd-efgh", "12"):
        r = client.post(STEP, {"code": wrong})
        assert r.status_code == 200 and "That code is not right" in r.content.decode()
    r = client.post(STEP, {"code": code(device)})  # even the right code waits now
    assert r.status_code == 429 and "Too many wrong codes" in r.content.decode()
    assert not logged_in(client)
    assert client.get(STEP)["Location"] == LOGIN  # the half-done sign-in was dropped
    sign_in(client, "alice")  # the right password again does not lift it
    r = client.post(STEP, {"code": codes[0]})
    assert r.status_code == 429 and not logged_in(client)
    assert StaticToken.objects.filter(token=codes[0].replace("-", "")).exists()  # not used up


def test_wrong_codes_count_towards_the_clients_cap_on_failed_logins(client, admin, settings):
    settings.LOGIN_FAILURES_PER_CLIENT = 2
    enable(admin)
    sign_in(client, "alice")
    client.post(STEP, {"code": "000000"})
    client.post(STEP, {"code": "000001"})
    r = sign_in(client, "alice")
    assert r.status_code == 429 and "Too many failed logins" in r.content.decode()


def test_a_recovery_code_works_once(client, admin, clock):
    _device, codes = enable(admin)
    sign_in(client, "alice")
    r = client.post(STEP, {"code": codes[3].upper().replace("-", " ")}, follow=True)
    assert logged_in(client)
    assert "You signed in with a recovery code; 9 are left" in r.content.decode()
    client.post("/accounts/logout/")
    sign_in(client, "alice")
    r = client.post(STEP, {"code": codes[3]})
    assert r.status_code == 200 and "That code is not right" in r.content.decode()
    assert not logged_in(client)


def test_django_axes_sees_the_login_only_after_the_code(client, admin):
    from axes.models import AccessAttempt, AccessLog

    device, _codes = enable(admin)
    for _ in range(2):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    sign_in(client, "alice")
    assert AccessAttempt.objects.get().failures_since_start == 2 and not AccessLog.objects.exists()
    client.post(STEP, {"code": code(device)})
    assert AccessLog.objects.filter(username="alice").exists()
    assert not AccessAttempt.objects.exists()  # reset on success, as before


def test_the_django_admin_signs_in_through_the_console(client, db):
    r = client.get("/django-admin/login/?next=/django-admin/console/tenant/")
    assert r.status_code == 302
    assert r["Location"] == f"{LOGIN}?next=/django-admin/console/tenant/"


# ---- while it is on ---------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, admin, tenant):
    _device, old = enable(admin)
    client.force_login(admin)
    r = client.post("/accounts/two-factor/codes/", {"codes-proof": "not my password"})
    assert "neither your password nor a current code" in r.content.decode()
    r = client.post("/accounts/two-factor/codes/", {"codes-proof": PASSWORD})
    new = CODE_SHAPE.findall(r.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEntry.objects.get(action="two_factor.codes").changes == {
        "recovery codes": "changed"
    }
    client.post("/accounts/logout/")
    sign_in(client, "alice")
    assert "That code is not right" in client.post(STEP, {"code": old[0]}).content.decode()
    assert client.post(STEP, {"code": new[0]}).status_code == 302 and logged_in(client)


def test_turning_it_off_needs_the_password_or_a_code(client, admin, tenant):
    device, _codes = enable(admin)
    elsewhere = Client()
    elsewhere.force_login(admin)
    client.force_login(admin)
    r = client.post("/accounts/two-factor/off/", {"off-proof": "123456"})
    assert "neither your password nor a current code" in r.content.decode()
    assert two_factor_on(admin)
    r = client.post("/accounts/two-factor/off/", {"off-proof": code(device)})
    assert r.status_code == 302 and not two_factor_on(admin)
    assert not StaticDevice.objects.filter(user=admin).exists()
    assert logged_in(client) and not logged_in(elsewhere)
    entry = AuditEntry.objects.get(action="two_factor.off")
    assert entry.tenant == tenant and entry.changes == {"two_factor": [True, False]}


def test_wrong_passwords_to_confirm_a_change_are_limited_too(client, admin, settings):
    settings.TWO_FACTOR_FAILURES_PER_USER = 2
    enable(admin)
    client.force_login(admin)
    for _ in range(2):
        client.post("/accounts/two-factor/off/", {"off-proof": "guess"})
    r = client.post("/accounts/two-factor/off/", {"off-proof": PASSWORD})
    assert "Too many wrong codes" in r.content.decode() and two_factor_on(admin)


# ---- the tenant's requirement -----------------------------------------------------------------


def require(tenant, who):
    tenant.two_factor_required = who
    tenant.save(update_fields=["two_factor_required"])


def test_the_setting_is_saved_and_audited(client, admin, tenant):
    from tests.console.test_settings import form_data

    client.force_login(admin)
    r = client.post(
        f"/t/{tenant.code}/settings/", form_data(tenant, two_factor_required="everyone")
    )
    assert r.status_code == 302
    tenant.refresh_from_db()
    assert tenant.two_factor_required == "everyone"
    entry = AuditEntry.objects.get(action="settings.change")
    assert entry.changes == {"two_factor_required": ["nobody", "everyone"]}
    # The admin has no two-factor yet: the tenant's pages now send them to set it up.
    r = client.get(f"/t/{tenant.code}/settings/")
    assert r.status_code == 302 and r["Location"].startswith(PAGE)
    # A form from a page loaded before the setting existed leaves it alone.
    from console.forms import TenantSettingsForm

    form = TenantSettingsForm(form_data(tenant, name="Acme Ltd"), tenant=tenant)
    assert form.is_valid() and form.cleaned_data["two_factor_required"] == "everyone"


def test_required_for_admins_sends_them_to_the_setup_until_it_is_on(
    client, admin, manager, tenant, clock
):
    require(tenant, Tenant.TwoFactor.ADMINS)
    client.force_login(admin)
    settings_page = f"/t/{tenant.code}/settings/"
    r = client.get(settings_page)
    assert (
        r.status_code == 302 and r["Location"] == f"{PAGE}?next=%2Ft%2F{tenant.code}%2Fsettings%2F"
    )
    body = client.get(r["Location"]).content.decode()
    assert "Acme requires two-factor sign-in for its admins" in body
    assert f'name="next" value="/t/{tenant.code}/settings/"' in body
    # htmx requests move the whole page.
    r = client.post(f"/t/{tenant.code}/settings/test/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r["HX-Redirect"].startswith(PAGE)
    # Logging out works; customer managers are not asked.
    manager_client = Client()
    manager_client.force_login(manager)
    assert manager_client.get(f"/t/{tenant.code}/call/").status_code == 200

    client.post("/accounts/two-factor/setup/", {"next": settings_page})
    device = TOTPDevice.objects.get(user=admin)
    r = client.post("/accounts/two-factor/confirm/", {"code": code(device), "next": settings_page})
    assert f'href="{settings_page}"' in r.content.decode()  # "continue" goes back
    assert client.get(settings_page).status_code == 200
    # Signed in again, with the code, the pages open too.
    client.post("/accounts/logout/")
    clock.shift(30)
    sign_in(client, "alice")
    client.post(STEP, {"code": code(device)})
    assert client.get(settings_page).status_code == 200


def test_required_for_everyone_asks_managers_too_but_not_elsewhere(
    client, manager, tenant, other_tenant
):
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.ADMIN)
    require(tenant, Tenant.TwoFactor.EVERYONE)
    client.force_login(manager)
    r = client.get(f"/t/{tenant.code}/call/")
    assert r.status_code == 302 and r["Location"].startswith(PAGE)
    body = client.get(PAGE).content.decode()
    assert "Acme requires two-factor sign-in for everyone who uses it" in body
    assert "Other requires" not in body
    # The other tenant does not require it; logging out still works.
    assert client.get(f"/t/{other_tenant.code}/settings/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302 and not logged_in(client)


def test_outsiders_still_get_404_from_a_tenant_that_requires_it(client, outsider, tenant):
    require(tenant, Tenant.TwoFactor.EVERYONE)
    client.force_login(outsider)
    assert client.get(f"/t/{tenant.code}/settings/").status_code == 404


def test_a_verified_session_costs_no_query(client, admin, tenant, django_assert_num_queries):
    require(tenant, Tenant.TwoFactor.ADMINS)
    device, _codes = enable(admin)
    sign_in(client, "alice")
    client.post(STEP, {"code": code(device)})
    url = f"/t/{tenant.code}/people/"
    assert client.get(url).status_code == 200
    with django_assert_num_queries(4):  # as tests/console/test_people.py, without two-factor
        assert client.get(url).status_code == 200


# ---- an admin's reset -------------------------------------------------------------------------


def reset_url(tenant, user):
    code = Membership.objects.get(tenant=tenant, user=user).code
    return f"/t/{tenant.code}/people/{code}/two-factor/reset/"


def test_an_admin_resets_a_members_two_factor_and_ends_their_sessions(
    client, admin, manager, tenant
):
    device, codes = enable(manager)
    bob = Client()
    sign_in(bob, "bob")
    bob.post(STEP, {"code": code(device)})
    assert bob.get(f"/t/{tenant.code}/call/").status_code == 200
    client.force_login(admin)
    people = client.get(f"/t/{tenant.code}/people/").content.decode()
    assert "Reset two-factor sign-in of bob" in people
    assert "Reset two-factor sign-in of alice" not in people  # not on, and not oneself
    r = client.post(reset_url(tenant, manager), follow=True)
    assert "Two-factor sign-in of Bob (bob) is reset" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    assert not Session.objects.filter(user=manager).exists()
    assert bob.get(f"/t/{tenant.code}/call/")["Location"].startswith(LOGIN)
    entry = AuditEntry.objects.get(action="two_factor.reset")
    assert entry.actor == admin and entry.target == "bob" and entry.tenant == tenant
    assert entry.changes == {"two_factor": [True, False], "sessions ended": [None, 1]}
    assert device.key not in str(entry.changes) and codes[0] not in str(entry.changes)
    # Bob signs in with the password alone now, and may set it up again.
    assert sign_in(bob, "bob")["Location"] == "/" and logged_in(bob)


def test_an_admin_cannot_reset_their_own(client, admin, tenant):
    enable(admin)
    client.force_login(admin)
    r = client.post(reset_url(tenant, admin), follow=True)
    assert "use your Two-factor sign-in page" in r.content.decode()
    assert two_factor_on(admin) and logged_in(client)


def test_another_tenants_admin_cannot_reset(client, manager, outsider, tenant, other_tenant):
    enable(manager)
    client.force_login(outsider)
    assert client.post(reset_url(tenant, manager)).status_code == 404
    # This tenant's member through the outsider's own tenant's URL: not found there either.
    code = Membership.objects.get(tenant=tenant, user=manager).code
    r = client.post(f"/t/{other_tenant.code}/people/{code}/two-factor/reset/")
    assert r.status_code == 404 and two_factor_on(manager)


@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_supervisors_and_managers_cannot_reset(client, request, admin, tenant, role):
    enable(admin)
    client.force_login(request.getfixturevalue(role))
    assert client.post(reset_url(tenant, admin)).status_code == 403
    assert two_factor_on(admin) and not AuditEntry.objects.exists()


def test_the_command_line_reset_for_a_locked_out_admin(admin, tenant, capsys):
    enable(admin)
    Client().force_login(admin)
    call_command("two_factor_reset", "alice")
    assert "was on and is now off; 1 session(s) ended" in capsys.readouterr().out
    assert not two_factor_on(admin) and not Session.objects.filter(user=admin).exists()
    entry = AuditEntry.objects.get(action="two_factor.reset")
    assert entry.tenant == tenant and entry.actor is None and entry.target == "alice"


def test_a_session_signed_in_without_the_code_is_told_to_sign_in_again(client, admin, tenant):
    """Cannot happen through the pages (every change of devices ends the other sessions), but
    a session without the mark is never let in, and is told what to do."""
    enable(admin)
    require(tenant, Tenant.TwoFactor.ADMINS)
    client.force_login(admin)  # as a session from before would be
    r = client.get(f"/t/{tenant.code}/settings/", follow=True)
    assert "This session was signed in without a code" in r.content.decode()
