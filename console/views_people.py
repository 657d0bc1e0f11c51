"""People: a tenant's members and their roles. Admins change them; supervisors may look.

New users get an initial password from the admin, or (with the password left blank) an e-mailed
invitation: a password-reset link made by Django's token generator, valid for
PASSWORD_RESET_TIMEOUT. An admin can never remove or demote the tenant's last admin.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from console import audit
from console.access import ADMIN_ONLY, READERS, tenant_access
from console.forms import AddMemberForm, CreateUserForm, RoleForm, who
from console.htmx import wants_partial
from console.models import Membership, Tenant

Role = Membership.Role
LAST_ADMIN = _(
    "%(who)s is the last admin of this tenant. Make someone else an admin first, so the tenant "
    "is never left without one."
)


def _member(m: Membership, code, *, lock=False) -> Membership:
    qs = m.tenant.memberships.select_related("user")
    if lock:
        qs = qs.select_for_update()
    target = qs.filter(code=code).first()
    if target is None:
        raise Http404
    return target


def _is_last_admin(tenant: Tenant, target: Membership) -> bool:
    if target.role != Role.ADMIN:
        return False
    # Lock the tenant's admin rows, so two admins demoting each other cannot both succeed.
    admins = list(tenant.memberships.select_for_update().filter(role=Role.ADMIN))
    return not any(a.pk != target.pk for a in admins)


def _disable_softphones(tenant: Tenant, user) -> list[str]:
    """A user who is no longer a customer manager here keeps no active softphone."""
    numbers = list(
        tenant.softphones.filter(user=user, enabled=True).values_list("softphone", flat=True)
    )
    if numbers:
        tenant.softphones.filter(user=user, enabled=True).update(enabled=False)
    return numbers


def _page(request, m, add_form=None, status=200):
    members = m.tenant.memberships.select_related("user").order_by("user__username")
    ctx = {
        "m": m,
        "members": members,
        "add_form": add_form or AddMemberForm(tenant=m.tenant),
        "roles": Role.choices,
    }
    return render(request, "console/people.html", ctx, status=status)


def _row_or_redirect(request, m, target, error=None):
    if wants_partial(request):
        ctx = {"m": m, "p": target, "roles": Role.choices, "row_error": error}
        return render(request, "console/people.html#person-row", ctx)
    if error:
        messages.error(request, error)
    return redirect("people", tenant=m.tenant.code)


@login_required
@require_GET
def people(request, tenant):
    m = tenant_access(request, tenant, roles=READERS)
    return _page(request, m)


@login_required
@require_POST
def people_add(request, tenant):
    """Add an existing user (by username) to this tenant."""
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    form = AddMemberForm(request.POST, tenant=m.tenant)
    if not form.is_valid():
        return _page(request, m, form)
    user, role = form.user, form.cleaned_data["role"]
    with transaction.atomic():
        m.tenant.memberships.create(user=user, role=role)
        changes = {"role": [None, role]}
        if not user.is_active:  # deactivated when they left their last tenant
            user.is_active = True
            user.save(update_fields=["is_active"])
            changes["is_active"] = [False, True]
        audit.record(
            tenant=m.tenant,
            actor=request.user,
            action="member.add",
            target=user.username,
            changes=changes,
        )
    messages.success(request, _("%(who)s added.") % {"who": who(user)})
    return redirect("people", tenant=m.tenant.code)


def _send_invitation(request, user: User, tenant: Tenant) -> None:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    ctx = {"user": user, "tenant": tenant, "url": request.build_absolute_uri(path)}
    subject = render_to_string("registration/invite_subject.txt", ctx).strip()
    body = render_to_string("registration/invite_email.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@login_required
@require_http_methods(["GET", "POST"])
def people_create(request, tenant):
    """Create a new user with an initial password, or invite them by e-mail."""
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    form = CreateUserForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "console/person_new.html", {"m": m, "form": form})
    data = form.cleaned_data
    invite = not data["password"]
    with transaction.atomic():
        user = User(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
        )
        if invite:
            user.set_unusable_password()
        else:
            user.set_password(data["password"])
        user.save()
        m.tenant.memberships.create(user=user, role=data["role"])
        audit.record(
            tenant=m.tenant,
            actor=request.user,
            action="member.create",
            target=user.username,
            changes=audit.diff(
                {},
                {
                    "username": user.username,
                    "name": user.get_full_name(),
                    "email": user.email,
                    "role": data["role"],
                    "invited": invite,
                },
            ),
        )
    if invite:
        _send_invitation(request, user, m.tenant)
        messages.success(
            request,
            _("%(who)s added; an invitation went to %(email)s.")
            % {"who": who(user), "email": user.email},
        )
    else:
        messages.success(
            request, _("%(who)s added with the initial password.") % {"who": who(user)}
        )
    return redirect("people", tenant=m.tenant.code)


@login_required
@require_POST
def person_role(request, tenant, member):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    form = RoleForm(request.POST)
    with transaction.atomic():
        target = _member(m, member, lock=True)
        if not form.is_valid():
            return _row_or_redirect(request, m, target, _("Choose a role."))
        new, old = form.cleaned_data["role"], target.role
        if new == old:
            return _row_or_redirect(request, m, target)
        if new != Role.ADMIN and _is_last_admin(m.tenant, target):
            return _row_or_redirect(request, m, target, LAST_ADMIN % {"who": who(target.user)})
        target.role = new
        target.save(update_fields=["role"])
        changes = {"role": [old, new]}
        if new != Role.MANAGER:
            disabled = _disable_softphones(m.tenant, target.user)
            if disabled:
                changes["softphones disabled"] = [None, ", ".join(disabled)]
        audit.record(
            tenant=m.tenant,
            actor=request.user,
            action="member.role",
            target=target.user.username,
            changes=changes,
        )
    if target.user_id == request.user.id and new != Role.ADMIN:
        messages.success(
            request, _("Your role is now %(role)s.") % {"role": target.get_role_display()}
        )
        return _go(request, reverse("home"))  # the People page is for admins only
    if not wants_partial(request):
        messages.success(
            request,
            _("%(who)s is now %(role)s.")
            % {"who": who(target.user), "role": target.get_role_display()},
        )
    return _row_or_redirect(request, m, target)


@login_required
@require_POST
def person_remove(request, tenant, member):
    """Remove the membership; a user left in no tenant at all is deactivated."""
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    with transaction.atomic():
        target = _member(m, member, lock=True)
        if _is_last_admin(m.tenant, target):
            messages.error(request, LAST_ADMIN % {"who": who(target.user)})
            return redirect("people", tenant=m.tenant.code)
        user = target.user
        changes = {"role": [target.role, None]}
        disabled = _disable_softphones(m.tenant, user)
        if disabled:
            changes["softphones disabled"] = [None, ", ".join(disabled)]
        target.delete()
        if not user.memberships.exists() and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            changes["is_active"] = [True, False]
        audit.record(
            tenant=m.tenant,
            actor=request.user,
            action="member.remove",
            target=user.username,
            changes=changes,
        )
    messages.success(
        request, _("%(who)s removed from %(tenant)s.") % {"who": who(user), "tenant": m.tenant.name}
    )
    if user.pk == request.user.pk:
        return _go(request, reverse("home"))
    return _go(request, reverse("people", kwargs={"tenant": m.tenant.code}))


def _go(request, url: str):
    """A full-page move, also from an htmx request."""
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)
