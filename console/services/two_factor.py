"""Two-factor sign-in (django-otp): turning it on with an authenticator app (confirmed with a
code before it counts) and recovery codes, new recovery codes, turning it off, an admin's reset,
and the code step of signing in.

Every change of a person's devices ends their other sessions, so that the session's own mark
(console/two_factor.py) stays true without a query on every page; an admin's reset ends them all.
A person's own changes are audited in every tenant they belong to, an admin's reset in that
admin's tenant; never with the app's key or a recovery code. Wrong codes (and wrong passwords
given to confirm a change) are limited per person, and count towards the client's cap on failed
logins (console/ratelimit.py).
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from console import audit
from console import two_factor as marks
from console.middleware import client_ip
from console.models import Membership, Session, Tenant
from console.ratelimit import LOGIN_FAILED, note, used
from console.selectors import (
    has_two_factor,
    member_of,
    recovery_codes_left,
    recovery_device,
    totp_device,
)

RECOVERY_CODES = 10
FAILED = "two-factor-failed"  # wrong codes (or confirming passwords) per person


class TooManyFailures(Exception):
    def __init__(self):
        minutes = round(settings.AXES_COOLOFF_TIME * 60)
        super().__init__(
            _("Too many wrong codes. Wait %(minutes)d minutes and try again.")
            % {"minutes": minutes}
        )


class WrongProof(Exception):
    def __init__(self):
        super().__init__(_("That is neither your password nor a current code from your app."))


class NoPendingSignIn(Exception):
    """No half-done sign-in in this session (never started, or it expired)."""


class OwnReset(Exception):
    def __init__(self):
        super().__init__(
            _("To turn off your own two-factor sign-in, use your Two-factor sign-in page.")
        )


# ---- codes -------------------------------------------------------------------------------------


def _plain(code: str) -> str:
    """A code as typed, without spaces or dashes: "123 456" and "abcd-efgh" are accepted."""
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _window() -> timedelta:
    return timedelta(hours=settings.AXES_COOLOFF_TIME)


def _check_allowed(user) -> None:
    if used(FAILED, str(user.pk), window=_window()) >= settings.TWO_FACTOR_FAILURES_PER_USER:
        raise TooManyFailures


def _failed(user, client: str | None) -> None:
    note(FAILED, str(user.pk))
    note(LOGIN_FAILED, client or "-")


def _device_for(user, code: str):
    """The confirmed device that accepts `code` (an app code, or an unused recovery code, which
    is used up by this), or None."""
    device = totp_device(user, confirmed=True) if _is_app_code(code) else recovery_device(user)
    if device is None:
        return None
    return verify_token(user, device.persistent_id, code)  # locked, so a code works once


def _verify(user, code: str, *, client: str | None):
    _check_allowed(user)
    device = _device_for(user, _plain(code))
    if device is None:
        _failed(user, client)
    return device


def _check_proof(user, proof: str, *, client: str | None) -> None:
    """The person's password or a current app code (recovery codes are kept for signing in).
    Raises WrongProof, TooManyFailures."""
    _check_allowed(user)
    code = _plain(proof)
    if _is_app_code(code):
        ok = _device_for(user, code) is not None
    else:  # (not user.check_password: an upgraded hash would end this very session)
        ok = check_password(proof, user.password)
    if not ok:
        _failed(user, client)
        raise WrongProof


def _new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes (the old ones stop working); the new ones, to show
    once as "abcd-efgh"."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    tokens = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return [f"{t[:4]}-{t[4:]}" for t in tokens]


def _end_sessions(user, *, keep: str | None = None) -> int:
    """End the person's sessions (but `keep`, the one they are using); how many ended."""
    sessions = Session.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    return sessions.delete()[0]


def _audit_everywhere(user, action: str, changes: dict, actor=None) -> None:
    for membership in Membership.objects.select_related("tenant").filter(user=user):
        audit.record(
            tenant=membership.tenant,
            actor=actor if actor is not None else user,
            action=action,
            target=user.username,
            changes=changes,
        )


# ---- turning it on -------------------------------------------------------------------------------


@dataclass
class Setup:
    device: TOTPDevice
    qr_svg: SafeString  # the otpauth:// address as an inline SVG QR code (no image request)
    secret: str  # the key in base32, in groups of four, for typing into the app by hand


def setup_start(user) -> TOTPDevice:
    """A new app to confirm (any earlier unconfirmed one is dropped). It counts for nothing until
    confirmed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def setup_details(device: TOTPDevice) -> Setup:
    import segno  # only this page draws QR codes: not loaded with every process

    qr = segno.make(device.config_url, error="m")
    # segno draws the SVG itself from the address: no text of ours goes into it but the title.
    svg = qr.svg_inline(scale=5, border=4, omitsize=True, svgclass="qr", light="#fff")
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Setup(device=device, qr_svg=mark_safe(svg), secret=grouped)  # noqa: S308


def setup_confirm(user, device: TOTPDevice, code: str, *, request) -> list[str] | None:
    """Turn two-factor on: the app being set up gives `code`. Returns the new recovery codes
    (show them once), or None for a wrong code. This session is marked verified and the
    person's other sessions end. Raises TooManyFailures."""
    _check_allowed(user)
    with transaction.atomic():
        verified = verify_token(user, device.persistent_id, _plain(code))
        if verified is not None:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
            codes = _new_recovery_codes(user)
            _end_sessions(user, keep=request.session.session_key)
            _audit_everywhere(user, "two_factor.on", {"two_factor": [False, True]})
    if verified is None:
        _failed(user, client_ip(request))
        return None
    marks.mark_verified(request.session, device)
    return codes


# ---- while it is on ----------------------------------------------------------------------------


def recovery_codes_renew(user, proof: str, *, request) -> list[str]:
    """New recovery codes (the old ones stop working), after the password or a current code.
    Raises WrongProof, TooManyFailures."""
    _check_proof(user, proof, client=client_ip(request))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        _audit_everywhere(user, "two_factor.codes", {"recovery codes": audit.CHANGED})
    return codes


def turn_off(user, proof: str, *, request) -> None:
    """Turn two-factor off, after the password or a current code: the app and the recovery
    codes are deleted, the person's other sessions end. Raises WrongProof, TooManyFailures."""
    _check_proof(user, proof, client=client_ip(request))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _end_sessions(user, keep=request.session.session_key)
        _audit_everywhere(user, "two_factor.off", {"two_factor": [True, False]})
    marks.forget_verified(request.session)


def _remove_devices(user) -> tuple[bool, int]:
    had = has_two_factor(user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return had, _end_sessions(user)


def member_reset(*, tenant: Tenant, code, actor) -> Membership:
    """An admin resets a member's two-factor sign-in (they lost their phone and their codes):
    the app and recovery codes are deleted and all the member's sessions end, so they sign in
    again with their password only and set it up anew. Raises OwnReset, Http404."""
    with transaction.atomic():
        member = member_of(tenant, code)
        if member.user_id == actor.pk:
            raise OwnReset
        had, ended = _remove_devices(member.user)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="two_factor.reset",
            target=member.user.username,
            changes={"two_factor": [had, False], "sessions ended": [None, ended]},
        )
    return member


def user_reset(user) -> tuple[bool, int]:
    """The same from the command line (`manage.py two_factor_reset`), for a locked-out person
    with no admin to turn to; audited in each of their tenants, without an actor. Returns
    whether it was on and how many sessions ended."""
    with transaction.atomic():
        had, ended = _remove_devices(user)
        changes = {"two_factor": [had, False], "sessions ended": [None, ended]}
        for membership in Membership.objects.select_related("tenant").filter(user=user):
            audit.record(
                tenant=membership.tenant,
                actor=None,
                action="two_factor.reset",
                target=user.username,
                changes=changes,
            )
    return had, ended


# ---- signing in --------------------------------------------------------------------------------


def sign_in_begin(request, user, next_url: str) -> bool:
    """After the right password: for a person with two-factor on, remember the sign-in as
    pending (the session is not logged in) and return True; False: log them in as usual."""
    if not has_two_factor(user):
        return False
    request.session.cycle_key()
    marks.start_pending(request.session, user_id=user.pk, backend=user.backend, next_url=next_url)
    return True


@dataclass
class SignedIn:
    next_url: str
    recovery_code_used: bool
    codes_left: int


def pending_user(request) -> User | None:
    data = marks.pending(request.session)
    if data is None:
        return None
    return User.objects.filter(pk=data["user"], is_active=True).first()


def sign_in_finish(request, code: str) -> SignedIn | None:
    """The code step: with a right code the person is logged in (Django's login(), so
    django-axes sees a successful login) and this session is marked verified; None for a wrong
    code. Raises NoPendingSignIn, TooManyFailures (the pending sign-in is then dropped)."""
    user = pending_user(request)
    if user is None:
        marks.end_pending(request.session)
        raise NoPendingSignIn
    data = marks.pending(request.session)
    client = client_ip(request)
    try:
        if (
            used(LOGIN_FAILED, client or "-", window=_window())
            >= settings.LOGIN_FAILURES_PER_CLIENT
        ):
            raise TooManyFailures  # the cap on failed logins from one address (LoginView's)
        device = _verify(user, code, client=client)
    except TooManyFailures:
        marks.end_pending(request.session)
        raise
    if device is None:
        return None
    marks.end_pending(request.session)
    login(request, user, backend=data["backend"])
    marks.mark_verified(request.session, device)
    recovery = isinstance(device, StaticDevice)
    return SignedIn(
        next_url=data["next"],
        recovery_code_used=recovery,
        codes_left=recovery_codes_left(user) if recovery else RECOVERY_CODES,
    )
