"""Two-factor sign-in: the person's own page (turn it on with an authenticator app, recovery
codes, turn it off) and the code step of signing in. Pages that show a key or codes are never
cached; the codes are shown in the answer to the POST that made them, and never again."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console import two_factor as marks
from console.forms import CodeForm, ProofForm
from console.selectors import (
    has_two_factor,
    recovery_codes_left,
    totp_device,
    two_factor_requirements,
)
from console.services.two_factor import (
    NoPendingSignIn,
    TooManyFailures,
    WrongProof,
    pending_user,
    recovery_codes_renew,
    setup_confirm,
    setup_details,
    setup_start,
    sign_in_finish,
    turn_off,
)


def _next(request) -> str:
    """Where to go afterwards (`next` from the query or the form), if it is on this site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def _page(request, *, codes_form=None, off_form=None):
    user = request.user
    ctx = {
        "on": has_two_factor(user),
        "verified": marks.verified(request.session),
        "codes_left": recovery_codes_left(user),
        "requirements": two_factor_requirements(user),
        "next": _next(request),
        "codes_form": codes_form or ProofForm(prefix="codes"),
        "off_form": off_form or ProofForm(prefix="off"),
    }
    return render(request, "registration/two_factor.html", ctx)


def _setup_page(request, device, form=None):
    ctx = {"setup": setup_details(device), "form": form or CodeForm(), "next": _next(request)}
    return render(request, "registration/two_factor_setup.html", ctx)


def _codes_page(request, codes, *, turned_on: bool):
    ctx = {"codes": codes, "turned_on": turned_on, "next": _next(request)}
    return render(request, "registration/two_factor_codes.html", ctx)


@never_cache
@login_required
@require_GET
def two_factor(request):
    return _page(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """POST: start with a new app and show its QR code; GET: the app being set up, again."""
    if has_two_factor(request.user):
        return redirect("two-factor")
    if request.method == "POST":
        device = setup_start(request.user)
    else:
        device = totp_device(request.user, confirmed=False)
    if device is None:
        return redirect("two-factor")
    return _setup_page(request, device)


@never_cache
@login_required
@require_POST
def two_factor_confirm(request):
    device = totp_device(request.user, confirmed=False)
    if device is None or has_two_factor(request.user):
        return redirect("two-factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = setup_confirm(request.user, device, form.cleaned_data["code"], request=request)
        except TooManyFailures as e:
            form.add_error("code", str(e))
        else:
            if codes is not None:
                return _codes_page(request, codes, turned_on=True)
            form.add_error(
                "code",
                _(
                    "That code is not right. Type the code the app shows now (it changes every "
                    "30 seconds); if it is never right, check the phone's clock."
                ),
            )
    return _setup_page(request, device, form)


@never_cache
@login_required
@require_POST
def two_factor_codes(request):
    """New recovery codes, after the password or a current code."""
    if not has_two_factor(request.user):
        return redirect("two-factor")
    form = ProofForm(request.POST, prefix="codes")
    if form.is_valid():
        try:
            codes = recovery_codes_renew(request.user, form.cleaned_data["proof"], request=request)
        except (WrongProof, TooManyFailures) as e:
            form.add_error("proof", str(e))
        else:
            return _codes_page(request, codes, turned_on=False)
    return _page(request, codes_form=form)


@never_cache
@login_required
@require_POST
def two_factor_off(request):
    if not has_two_factor(request.user):
        return redirect("two-factor")
    form = ProofForm(request.POST, prefix="off")
    if form.is_valid():
        try:
            turn_off(request.user, form.cleaned_data["proof"], request=request)
        except (WrongProof, TooManyFailures) as e:
            form.add_error("proof", str(e))
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two-factor")
    return _page(request, off_form=form)


@never_cache
@require_http_methods(["GET", "POST"])
def login_two_factor(request):
    """The second step of signing in, after the right password of a person with two-factor on.
    The session is logged in only once the code is right."""
    user = pending_user(request)
    if user is None:
        if request.method == "POST":
            messages.info(request, _("Signing in took too long. Please start again."))
        return redirect("login")
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        try:
            done = sign_in_finish(request, form.cleaned_data["code"])
        except NoPendingSignIn:
            return redirect("login")
        except TooManyFailures as e:
            ctx = {"locked": str(e)}
            return render(request, "registration/login_two_factor.html", ctx, status=429)
        if done is not None:
            if done.recovery_code_used:
                messages.warning(request, _recovery_code_used(done.codes_left))
            return redirect(done.next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        form.add_error("code", _("That code is not right."))
    ctx = {"form": form, "pending_user": user}
    return render(request, "registration/login_two_factor.html", ctx)


def _recovery_code_used(left: int) -> str:
    return ngettext(
        "You signed in with a recovery code; %(n)d is left. Make new ones on your Two-factor "
        "sign-in page.",
        "You signed in with a recovery code; %(n)d are left. Make new ones on your Two-factor "
        "sign-in page.",
        left,
    ) % {"n": left}
