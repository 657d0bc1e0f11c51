"""Reads of the console's own models: memberships, people, softphone mappings, and a person's
two-factor devices."""

from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.models import Membership, SoftphoneMapping, Tenant, who
from console.prepared import Prepared

Role = Membership.Role


def membership_to_open(user, last_used: str | None) -> Membership | None:
    """The membership to open for links without a tenant: the tenant the user used last in this
    session (its code remembered there), else the one they opened last in any session, else their
    first one by name; None without any."""
    memberships = Membership.objects.select_related("tenant").filter(user=user)
    if last_used:
        membership = memberships.filter(tenant__code=last_used).first()
        if membership is not None:
            return membership
    return memberships.order_by(F("last_opened_at").desc(nulls_last=True), "tenant__name").first()


def managers_of(tenant: Tenant) -> QuerySet[User]:
    """The tenant's customer managers (the only people a softphone can map to), by username."""
    return User.objects.filter(memberships__tenant=tenant, memberships__role=Role.MANAGER).order_by(
        "username"
    )


_MANAGER_NAMES = Prepared(
    lambda tenant_id: (
        User.objects.filter(memberships__tenant_id=tenant_id, memberships__role=Role.MANAGER)
        .order_by("username")
        .values_list("id", "first_name", "last_name", "username")
    ),
    tenant_id=int,
)


def manager_rows(tenant: Tenant) -> tuple[tuple[int, str, str, str], ...]:
    """(id, first name, last name, username) of the tenant's customer managers, by username (a
    prepared query: the history page reads it on every load; its rows are also the key of the
    manager select's written options, calls.history_filter.manager_options)."""
    return tuple(_MANAGER_NAMES.rows(tenant_id=tenant.pk))


def manager_name(first: str, last: str, username: str) -> str:
    """A manager's name as the manager filters show it: full name, else username."""
    return f"{first} {last}".strip() or username


def manager_choices(tenant: Tenant) -> list[tuple[int, str]]:
    """(id, name) of the tenant's customer managers, by username: the manager filters' choices."""
    return [(pk, manager_name(*names)) for pk, *names in manager_rows(tenant)]


def members_of(tenant: Tenant) -> QuerySet[Membership]:
    """The tenant's members with their users, by username; `two_factor`: whether each has
    two-factor sign-in on (in the same query)."""
    return (
        tenant.memberships.select_related("user")
        .annotate(two_factor=Exists(confirmed_totp(OuterRef("user_id"))))
        .order_by("user__username")
    )


def confirmed_totp(user_id) -> QuerySet[TOTPDevice]:
    return TOTPDevice.objects.filter(user_id=user_id, confirmed=True)


def has_two_factor(user) -> bool:
    """Whether the person has two-factor sign-in on (a confirmed app; an unconfirmed one, still
    being set up, never counts)."""
    return confirmed_totp(user.pk).exists()


def totp_device(user, *, confirmed: bool) -> TOTPDevice | None:
    """The person's app: the confirmed one, or the one being set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_requirements(user) -> list[Membership]:
    """The person's memberships whose tenant requires two-factor sign-in of them."""
    memberships = Membership.objects.select_related("tenant").filter(user=user)
    return [m for m in memberships.order_by("tenant__name") if m.requires_two_factor]


def member_of(tenant: Tenant, code, *, lock: bool = False) -> Membership:
    """One membership of the tenant by its code (404 if not there), locked if asked."""
    memberships = tenant.memberships.select_related("user")
    if lock:
        memberships = memberships.select_for_update()
    membership = memberships.filter(code=code).first()
    if membership is None:
        raise Http404
    return membership


def mapping_of(tenant: Tenant, code) -> SoftphoneMapping:
    """One softphone mapping of the tenant by its code (404 if not there)."""
    mapping = tenant.softphones.select_related("user").filter(code=code).first()
    if mapping is None:
        raise Http404
    return mapping


def mapping_conflicts(
    tenant: Tenant, *, user, softphone: str, enabled: bool, exclude_pk=None
) -> dict[str, str]:
    """Errors from other mappings of this tenant: the number taken, or the user already mapped."""
    errors = {}
    others = tenant.softphones.select_related("user").exclude(pk=exclude_pk)
    taken = others.filter(softphone=softphone).first()
    if taken is not None:
        errors["softphone"] = _("%(number)s is already mapped to %(who)s.") % {
            "number": softphone,
            "who": who(taken.user),
        }
    if enabled and user is not None:
        active = others.filter(user=user, enabled=True).first()
        if active is not None:
            errors["user"] = _("%(who)s already has softphone %(number)s; disable it first.") % {
                "who": who(user),
                "number": active.softphone,
            }
    return errors
