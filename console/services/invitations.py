"""Invitations: how a person joins a tenant.

An admin invites an e-mail address with a role. The answer is the same whether or not an account
has that address, and nothing about other tenants' people is shown: the invitation goes by e-mail,
and the person accepts it after signing in (an account with that address), or creates their
account from it. Only the token's hash is stored; the token is in the e-mailed link. Each step is
audited in the inviting tenant.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from console import audit
from console.models import Invitation, Membership, Tenant, who
from console.ratelimit import allow

VALID_FOR = timedelta(days=7)
PER_TENANT_PER_HOUR = 50  # invitation e-mails one tenant may send (no mail bombing)


class InvitationRefused(Exception):
    """The invitation cannot be sent or accepted; the message says why and what to do."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(*, tenant: Tenant, email: str, role: str, actor, base_url: str) -> Invitation:
    """Invite `email` to the tenant as `role` (a new link if one is pending: the old stops
    working). Raises InvitationRefused for a present member or too many invitations."""
    email = email.strip().lower()
    if tenant.memberships.filter(user__email__iexact=email).exists():
        raise InvitationRefused(
            _("A member of this tenant already has the address %(email)s.") % {"email": email}
        )
    if not allow(
        "invite-tenant", str(tenant.pk), limit=PER_TENANT_PER_HOUR, window=timedelta(hours=1)
    ):
        raise InvitationRefused(
            _("This tenant sent %(n)d invitations in the last hour. Try again later.")
            % {"n": PER_TENANT_PER_HOUR}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        pending = tenant.invitations.select_for_update().filter(email=email).first()
        invitation, _created = Invitation.objects.update_or_create(
            tenant=tenant,
            email=email,
            defaults={
                "role": role,
                "token_hash": _hash(token),
                "invited_by": actor,
                "created_at": now,
                "expires_at": now + VALID_FOR,
            },
        )
        audit.record(
            tenant=tenant,
            actor=actor,
            action="member.invite",
            target=email,
            changes={"role": [pending.role if pending else None, role]},
        )
    url = base_url.rstrip("/") + reverse("invitation", kwargs={"token": token})
    ctx = {"tenant": tenant, "role": invitation.get_role_display(), "inviter": who(actor)}
    ctx.update(url=url, days=VALID_FOR.days)
    subject = render_to_string("registration/join_subject.txt", ctx).strip()
    body = render_to_string("registration/join_email.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return invitation


def invitation_revoke(*, tenant: Tenant, code, actor) -> Invitation | None:
    """Withdraw the pending invitation `code` (None if it is already gone)."""
    with transaction.atomic():
        invitation = tenant.invitations.select_for_update().filter(code=code).first()
        if invitation is None:
            return None
        invitation.delete()
        audit.record(
            tenant=tenant,
            actor=actor,
            action="member.uninvite",
            target=invitation.email,
            changes={"role": [invitation.role, None]},
        )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The pending, unexpired invitation with this token, with its tenant; None otherwise."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("tenant", "invited_by")
        .filter(token_hash=_hash(token), expires_at__gt=timezone.now())
        .first()
    )


def _join(invitation: Invitation, user: User, *, action: str) -> Membership:
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                tenant=invitation.tenant, user=user, role=invitation.role
            )
    except IntegrityError:  # already a member (e.g. the link opened twice): keep their role
        membership = Membership.objects.get(tenant=invitation.tenant, user=user)
    else:
        audit.record(
            tenant=invitation.tenant,
            actor=user,
            action=action,
            target=user.username,
            changes={"role": [None, invitation.role], "e-mail": [None, invitation.email]},
        )
    invitation.delete()
    return membership


def invitation_accept(*, token: str, user: User) -> Membership:
    """The signed-in `user` accepts: they become a member with the invited role. Raises
    InvitationRefused when the link is no longer valid or was sent to another address."""
    with transaction.atomic():
        invitation = invitation_by_token(token)
        if invitation is None:
            raise InvitationRefused(gone_message())
        problem = address_problem(invitation, user)
        if problem:
            raise InvitationRefused(problem)
        return _join(invitation, user, action="member.join")


def address_problem(invitation: Invitation, user: User) -> str | None:
    """Why `user` cannot accept `invitation` (it went to another address), or None."""
    if (user.email or "").strip().lower() == invitation.email:
        return None
    return _(
        "This invitation was sent to %(email)s, but you are signed in with an account that has "
        "another address. Sign out and sign in with the account that uses %(email)s, or ask the "
        "admin who invited you to invite your account's address instead."
    ) % {"email": invitation.email}


def invitation_decline(*, token: str, user: User | None) -> Invitation | None:
    """The invited person says no: the invitation is deleted (audited); None if it was gone."""
    with transaction.atomic():
        invitation = invitation_by_token(token)
        if invitation is None:
            return None
        invitation.delete()
        audit.record(
            tenant=invitation.tenant,
            actor=user,
            action="member.decline",
            target=invitation.email,
            changes={"role": [invitation.role, None]},
        )
    return invitation


def account_create(*, token: str, data: dict) -> Membership:
    """Create the invited person's account (the invited address, their chosen username, name
    and password) and their membership. Raises InvitationRefused or ValidationError."""
    with transaction.atomic():
        invitation = invitation_by_token(token)
        if invitation is None:
            raise InvitationRefused(gone_message())
        user = User(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=invitation.email,
        )
        password_validation.validate_password(data["password"], user)
        user.set_password(data["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as e:
            raise ValidationError({"username": _("That username is taken; choose another.")}) from e
        return _join(invitation, user, action="member.signup")


def gone_message() -> str:
    return _(
        "This invitation link is no longer valid: it was used, withdrawn, replaced by a newer "
        "one, or it is more than %(days)d days old. Ask the admin who invited you to send a new "
        "one."
    ) % {"days": VALID_FOR.days}
