"""The invited person's side: the e-mailed link, then accept, decline, or create an account.

As Django's password reset does, the link's token is moved into the session and the browser sent
on to a URL without it, so the token does not stay in the address bar, the history or a Referer.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from console.forms import JoinForm
from console.services.invitations import (
    InvitationRefused,
    account_create,
    address_problem,
    gone_message,
    invitation_accept,
    invitation_by_token,
    invitation_decline,
)

TOKEN = "invitation_token"  # session key


@require_GET
def invitation_link(request, token):
    request.session[TOKEN] = token
    return redirect("invitation-open")


@require_http_methods(["GET", "POST"])
def invitation_open(request):
    token = request.session.get(TOKEN, "")
    invitation = invitation_by_token(token)
    if invitation is None:
        return render(request, "console/invitation.html", {"gone": gone_message()}, status=410)
    action = request.POST.get("action") if request.method == "POST" else None
    form = JoinForm(request.POST if action == "create" else None)
    ctx = {"invitation": invitation, "form": form}
    if request.user.is_authenticated:
        ctx["refused"] = address_problem(invitation, request.user)
    try:
        if action == "decline":
            user = request.user if request.user.is_authenticated else None
            invitation_decline(token=token, user=user)
            del request.session[TOKEN]
            messages.success(request, _("You declined the invitation."))
            return redirect("home" if request.user.is_authenticated else "login")
        if action == "accept" and request.user.is_authenticated:
            membership = invitation_accept(token=token, user=request.user)
            return _joined(request, membership)
        if action == "create" and not request.user.is_authenticated and form.is_valid():
            membership = account_create(token=token, data=form.cleaned_data)
            login(request, membership.user, backend="console.auth.Backend")
            return _joined(request, membership)
    except InvitationRefused as e:
        ctx["refused"] = str(e)
        return render(request, "console/invitation.html", ctx, status=403)
    except ValidationError as e:
        for field, errors in e.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/invitation.html", ctx, status=status)


def _joined(request, membership):
    request.session.pop(TOKEN, None)
    messages.success(
        request,
        _("Welcome to %(tenant)s. Your role here: %(role)s.")
        % {"tenant": membership.tenant.name, "role": membership.get_role_display()},
    )
    return redirect(reverse("tenant-home", kwargs={"tenant_code": membership.tenant.code}))
