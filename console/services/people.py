"""People of a tenant: creating users, changing roles, removing members (people who already have
an account join by invitation: console/services/invitations.py). An admin can never remove or
demote the tenant's last admin. Each change is audited."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from console import audit
from console.models import Membership, Session, Tenant, who
from console.selectors import member_of

Role = Membership.Role


class LastAdmin(Exception):
    """The change would leave the tenant without an admin."""

    def __init__(self, user):
        super().__init__(
            _(
                "%(who)s is the last admin of this tenant. Make someone else an admin first, "
                "so the tenant is never left without one."
            )
            % {"who": who(user)}
        )


def _is_last_admin(tenant: Tenant, member: Membership) -> bool:
    if member.role != Role.ADMIN:
        return False
    # Lock the tenant's admin rows, so two admins demoting each other cannot both succeed.
    admins = list(tenant.memberships.select_for_update().filter(role=Role.ADMIN))
    return not any(a.pk != member.pk for a in admins)


def _disable_softphones(tenant: Tenant, user) -> list[str]:
    """A user who is no longer a customer manager here keeps no active softphone."""
    active = tenant.softphones.filter(user=user, enabled=True)
    numbers = list(active.values_list("softphone", flat=True))
    if numbers:
        active.update(enabled=False)
    return numbers


def member_create(*, tenant: Tenant, data: dict, actor, base_url: str) -> User:
    """Create a user and their membership: with the initial password in `data`, or (without
    one) an unusable password and an e-mailed invitation whose link starts with `base_url`."""
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
        tenant.memberships.create(user=user, role=data["role"])
        created = {
            "username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "role": data["role"],
            "invited": invite,
        }
        audit.record(
            tenant=tenant,
            actor=actor,
            action="member.create",
            target=user.username,
            changes=audit.diff({}, created),
        )
    if invite:
        _send_invitation(user, tenant, base_url)
    return user


def _send_invitation(user: User, tenant: Tenant, base_url: str) -> None:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    ctx = {"user": user, "tenant": tenant, "url": base_url.rstrip("/") + path}
    subject = render_to_string("registration/invite_subject.txt", ctx).strip()
    body = render_to_string("registration/invite_email.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def member_role_change(*, tenant: Tenant, code, role: str, actor) -> tuple[Membership, bool]:
    """Give the member `code` the role `role`; returns the member and whether the role changed.
    Raises LastAdmin (nothing changed then)."""
    with transaction.atomic():
        member = member_of(tenant, code, lock=True)
        old = member.role
        if role == old:
            return member, False
        if role != Role.ADMIN and _is_last_admin(tenant, member):
            raise LastAdmin(member.user)
        member.role = role
        member.save(update_fields=["role"])
        changes = {"role": [old, role]}
        if role != Role.MANAGER:
            disabled = _disable_softphones(tenant, member.user)
            if disabled:
                changes["softphones disabled"] = [None, ", ".join(disabled)]
        audit.record(
            tenant=tenant,
            actor=actor,
            action="member.role",
            target=member.user.username,
            changes=changes,
        )
    return member, True


def member_remove(*, tenant: Tenant, code, actor) -> User:
    """End the membership `code`, not the account: the person keeps their other tenants (every
    request checks the membership, so this tenant's pages are closed to them at once); a person
    left in no tenant is signed out everywhere. Returns the user. Raises LastAdmin."""
    with transaction.atomic():
        member = member_of(tenant, code, lock=True)
        if _is_last_admin(tenant, member):
            raise LastAdmin(member.user)
        user = member.user
        changes = {"role": [member.role, None]}
        disabled = _disable_softphones(tenant, user)
        if disabled:
            changes["softphones disabled"] = [None, ", ".join(disabled)]
        member.delete()
        if not user.memberships.exists():
            ended = Session.objects.filter(user=user).delete()[0]
            if ended:
                changes["sessions ended"] = [None, ended]
        audit.record(
            tenant=tenant,
            actor=actor,
            action="member.remove",
            target=user.username,
            changes=changes,
        )
    return user
