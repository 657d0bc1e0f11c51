"""People: a tenant's members and their roles. Admins change them; supervisors may look."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from console.access import ADMIN_ONLY, READERS, tenant_view
from console.forms import CreateUserForm, InviteForm, RoleForm
from console.htmx import wants_partial
from console.models import Membership, who
from console.selectors import has_two_factor, member_of, members_of
from console.services.invitations import InvitationRefused, invitation_revoke, invitation_send
from console.services.people import (
    LastAdmin,
    member_create,
    member_remove,
    member_role_change,
)
from console.services.two_factor import OwnReset, member_reset


def _page(request, invite_form=None):
    ctx = {
        "members": members_of(request.tenant),
        "invitations": request.tenant.invitations.select_related("invited_by").order_by("email"),
        "invite_form": invite_form or InviteForm(),
        "roles": Membership.Role.choices,
    }
    return render(request, "console/people.html", ctx)


def _row(request, member, error=None):
    """The member's row (htmx), or back to the People page with the error as a message."""
    if wants_partial(request):
        member.two_factor = has_two_factor(member.user)
        ctx = {"p": member, "roles": Membership.Role.choices, "row_error": error}
        return render(request, "console/people.html#person-row", ctx)
    if error:
        messages.error(request, error)
    return redirect("people", tenant_code=request.tenant.code)


def _go(request, url: str):
    """A full-page move, also from an htmx request."""
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)


@tenant_view(roles=READERS)
@require_GET
def people(request):
    return _page(request)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def people_invite(request):
    """Invite someone by e-mail; the answer is the same whether or not they have an account."""
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        invitation = invitation_send(
            tenant=request.tenant,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except InvitationRefused as e:
        form.add_error("email", str(e))
        return _page(request, form)
    messages.success(
        request,
        _("An invitation went to %(email)s. They join when they accept it.")
        % {"email": invitation.email},
    )
    return redirect("people", tenant_code=request.tenant.code)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def invitation_withdraw(request, invitation_code):
    invitation = invitation_revoke(tenant=request.tenant, code=invitation_code, actor=request.user)
    if invitation is None:
        raise Http404
    messages.success(
        request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
    )
    return redirect("people", tenant_code=request.tenant.code)


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def people_create(request):
    """Create a new user with an initial password, or invite them by e-mail."""
    form = CreateUserForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "console/person_new.html", {"form": form})
    user = member_create(
        tenant=request.tenant,
        data=form.cleaned_data,
        actor=request.user,
        base_url=request.build_absolute_uri("/"),
    )
    if form.cleaned_data["password"]:
        message = _("%(who)s added with the initial password.") % {"who": who(user)}
    else:
        message = _("%(who)s added; an invitation went to %(email)s.") % {
            "who": who(user),
            "email": user.email,
        }
    messages.success(request, message)
    return redirect("people", tenant_code=request.tenant.code)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def person_role(request, member_code):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _row(request, member_of(request.tenant, member_code), _("Choose a role."))
    try:
        member, changed = member_role_change(
            tenant=request.tenant,
            code=member_code,
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except LastAdmin as e:
        return _row(request, member_of(request.tenant, member_code), str(e))
    if not changed:
        return _row(request, member)
    role = member.get_role_display()
    if member.user_id == request.user.id and member.role != Membership.Role.ADMIN:
        messages.success(request, _("Your role is now %(role)s.") % {"role": role})
        return _go(request, reverse("home"))  # the People page is for admins only
    if not wants_partial(request):
        messages.success(
            request, _("%(who)s is now %(role)s.") % {"who": who(member.user), "role": role}
        )
    return _row(request, member)


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def person_remove(request, member_code):
    """End the membership (not the account), after a confirmation page (GET; no script needed)."""
    if request.method == "GET":
        member = member_of(request.tenant, member_code)
        ctx = {
            "p": member,
            "softphones": list(
                request.tenant.softphones.filter(user=member.user, enabled=True).values_list(
                    "softphone", flat=True
                )
            ),
            "yourself": member.user_id == request.user.id,
        }
        return render(request, "console/person_remove.html", ctx)
    try:
        user = member_remove(tenant=request.tenant, code=member_code, actor=request.user)
    except LastAdmin as e:
        messages.error(request, str(e))
        return redirect("people", tenant_code=request.tenant.code)
    messages.success(
        request,
        _("%(who)s removed from %(tenant)s.") % {"who": who(user), "tenant": request.tenant.name},
    )
    if user.pk == request.user.pk:
        return _go(request, reverse("home"))
    return _go(request, reverse("people", kwargs={"tenant_code": request.tenant.code}))


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def person_two_factor_reset(request, member_code):
    """Delete a member's two-factor app and recovery codes (they lost their phone and codes) and
    end their sessions: they sign in with their password and set it up again."""
    try:
        member = member_reset(tenant=request.tenant, code=member_code, actor=request.user)
    except OwnReset as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _(
                "Two-factor sign-in of %(who)s is reset and they are signed out everywhere. They "
                "sign in with their password and set it up again."
            )
            % {"who": who(member.user)},
        )
    return redirect("people", tenant_code=request.tenant.code)
