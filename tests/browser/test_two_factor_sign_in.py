"""Two-factor sign-in in a real browser: an admin turns it on from the QR code page (the code is
computed here from the key the page shows, as an authenticator app would), signs out, and signs
in with the password and then a code. The tenant's requirement sends a member without it to the
setup page. No console error and no Content-Security-Policy violation on the way."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from console.models import Tenant
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = 375


@pytest.fixture
def console_errors(page):
    """Every console error or failed script on the page (a CSP violation is one); the browser's
    own look for /favicon.ico (the console has none) aside."""
    errors = []

    def console(msg):
        url = msg.location.get("url") or ""
        if msg.type == "error" and not url.endswith("/favicon.ico"):
            errors.append(f"{msg.text} {url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def app_code(key: bytes, *, ahead: int = 0) -> str:
    """What the authenticator app shows (`ahead` steps of 30 s later: an app code works once,
    and the next step's code is accepted too)."""
    return f"{totp(key, drift=ahead):06d}"


def fits_a_phone(page) -> bool:
    page.set_viewport_size({"width": PHONE, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1100, "height": 800})
    return width <= PHONE


def test_admin_turns_on_two_factor_and_signs_in_with_a_code(
    page, live_server, admin, tenant, console_errors
):
    tenant.two_factor_required = Tenant.TwoFactor.ADMINS
    tenant.save()
    log_in(page, live_server, "alice")
    # The tenant requires it of admins: its pages send her to set it up, and say why.
    page.wait_for_url("**/accounts/two-factor/?next=*")
    page.get_by_text("Acme requires two-factor sign-in for its admins").wait_for()
    page.screenshot(path=str(ARTIFACTS / "two-factor-required.png"), full_page=True)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    page.get_by_text("In the app, add an account by scanning this QR code").wait_for()
    assert page.locator(".qr svg path").count() >= 1  # drawn inline, no image request
    key = b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    assert fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "two-factor-setup.png"), full_page=True)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on", exact=True).click()
    page.get_by_text("That code is not right").wait_for()
    page.get_by_label("Code").fill(app_code(key))
    page.get_by_role("button", name="Turn on", exact=True).click()

    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    assert fits_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "two-factor-codes.png"), full_page=True)
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url(f"**/t/{tenant.code}/settings/")  # back where she was going
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    # Signing in: the password, then a code.
    log_in(page, live_server, "alice")
    page.wait_for_url("**/accounts/login/two-factor/")
    page.get_by_text("Signing in as alice").wait_for()
    assert fits_a_phone(page)
    page.set_viewport_size({"width": PHONE, "height": 700})
    page.screenshot(path=str(ARTIFACTS / "two-factor-sign-in-phone.png"), full_page=True)
    page.get_by_label("Code").fill(app_code(key, ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**/t/{tenant.code}/settings/")
    page.get_by_role("heading", name="Settings and AICC credentials").wait_for()

    # The account page says it is on; the People page shows it.
    page.get_by_role("link", name="Alice").click()
    page.get_by_text("Two-factor sign-in is on").first.wait_for()
    page.get_by_text("You have 10 unused recovery codes").wait_for()
    page.goto(f"{live_server.url}/t/{tenant.code}/people/")
    assert page.locator("tr", has_text="alice").locator(".badge.placed").inner_text() == "on"
    page.screenshot(path=str(ARTIFACTS / "two-factor-people.png"), full_page=True)
    assert console_errors == []


def test_a_recovery_code_signs_in_once(page, live_server, manager, tenant, console_errors):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    StaticDevice.objects.create(user=manager, name="codes").token_set.create(token="abcd2efg")
    log_in(page, live_server, "bob")
    page.wait_for_url("**/accounts/login/two-factor/")
    page.get_by_label("Code").fill("ABCD-2EFG")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_text("You signed in with a recovery code; 0 are left").wait_for()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "bob")
    page.get_by_label("Code").fill("abcd-2efg")
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("That code is not right").wait_for()
    assert "/accounts/login/two-factor/" in page.url
    assert console_errors == []
