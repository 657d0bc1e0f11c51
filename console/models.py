import ipaddress
from urllib.parse import urlsplit
from uuid import uuid4
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from console.crypto import EncryptedTextField
from console.prepared import Prepared

digits_validator = RegexValidator(r"^\d+$", _("Use digits only."))


def validate_aicc_url(value: str) -> None:
    """https always; plain http only on loopback (the bundled simulator), when allowed."""
    parts = urlsplit(value)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and settings.AICC_ALLOW_HTTP_LOOPBACK:
        host = parts.hostname or ""
        try:
            if host == "localhost" or ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise ValidationError(
        _("Use an https:// address (plain http is allowed only for a local simulator).")
    )


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


def validate_region(value: str) -> None:
    import phonenumbers

    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(_("Unknown region: %(region)s"), params={"region": value})


def who(user) -> str:
    """How a person is named on pages and in messages: "Full Name (username)"."""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


# The tenant's fields on its Settings page: settings, and the AICC credentials.
SETTINGS_FIELDS = (
    "name",
    "call_type",
    "is_trial",
    "trial_trustlist",
    "access_codes",
    "anonymization_enabled",
    "softphone_ranges",
    "called_min_digits",
    "token_lifetime",
    "time_zone",
    "two_factor_required",
    "api_self_service",
    "api_rate_per_minute",
    "default_region",
    "customer_calls_shared",
    "colleague_warning_minutes",
    "wallboard_warn_minutes",
    "wallboard_alert_minutes",
)
CREDENTIAL_FIELDS = ("aicc_base_url", "aicc_token_url", "app_key", "app_secret")
CALLED_MIN_DIGITS_DEFAULT = 5


class Tenant(models.Model):
    class CallType(models.TextChoices):
        AICC = "AICC", _("AICC two-way call")
        ITA = "ITA", _("ITA two-way call")

    class TwoFactor(models.TextChoices):
        """Who must sign in with two-factor to open the tenant's pages."""

        NOBODY = "nobody", _("Nobody (each person may turn it on)")
        ADMINS = "admins", _("Admins")
        EVERYONE = "everyone", _("Everyone")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    aicc_base_url = models.CharField(
        _("AICC base URL"),
        max_length=200,
        blank=True,
        validators=[validate_aicc_url],
        help_text=_("For example https://service.besclouds.com"),
    )
    aicc_token_url = models.CharField(
        _("token URL"),
        max_length=200,
        blank=True,
        validators=[validate_aicc_url],
        help_text=_(
            "Only if tokens come from another address, e.g. https://host:28070. Empty: the base URL."
        ),
    )
    app_key = models.CharField(_("app key"), max_length=128, blank=True)
    app_secret = EncryptedTextField(_("app secret"), blank=True)
    call_type = models.CharField(
        _("two-way call type"), max_length=8, choices=CallType, default=CallType.AICC
    )
    is_trial = models.BooleanField(_("trial tenant"), default=False)
    trial_trustlist = models.TextField(
        _("trial trustlist"),
        blank=True,
        help_text=_(
            "Agent-side numbers on AICC's trustlist, one per line (trial tenants only; optional)."
        ),
    )
    access_codes = models.TextField(
        _("access codes"),
        blank=True,
        help_text=_("Numbers customers may see as the calling number, one per line."),
    )
    anonymization_enabled = models.BooleanField(
        _("calling number anonymization enabled"),
        default=False,
        help_text=_("Enabled by AICC O&M: then any 11 to 14 digit number may be displayed."),
    )
    softphone_ranges = models.TextField(
        _("softphone number ranges"),
        blank=True,
        help_text=_(
            "Ranges assigned to mobile agents, one per line, e.g. 10001-10099 (or a single number)."
        ),
    )
    # Ours, not the vendor's (createCall only says string(32)): a customer number shorter than this
    # is refused before anything is sent (calls/call_input.py). See docs/contract-choices.md.
    called_min_digits = models.PositiveSmallIntegerField(
        _("shortest customer number (digits)"),
        default=CALLED_MIN_DIGITS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(32)],
        help_text=_(
            "Customer numbers with fewer digits are refused before anything is sent to AICC. "
            "Empty: 5."
        ),
    )
    token_lifetime = models.PositiveIntegerField(
        _("token lifetime (seconds)"),
        default=600,
        validators=[MinValueValidator(60), MaxValueValidator(3600)],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    two_factor_required = models.CharField(
        _("two-factor sign-in required for"),
        max_length=16,
        choices=TwoFactor,
        default=TwoFactor.NOBODY,
        help_text=_(
            "People it applies to must turn on two-factor sign-in (a code from an app on their "
            "phone) before they can open this tenant's pages."
        ),
    )
    # The REST API (api/): whether people other than admins may issue their own tokens, and how
    # many requests a token may make per minute (api/ratelimit.py).
    api_self_service = models.BooleanField(
        _("people may issue their own API tokens"),
        default=False,
        help_text=_(
            "Off: only admins issue API tokens (for anyone in the tenant). On: supervisors and "
            "customer managers may also issue tokens for themselves."
        ),
    )
    api_rate_per_minute = models.PositiveIntegerField(
        _("API requests per minute per token"),
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
        help_text=_("More requests than this in one minute are answered 429 until it ends."),
    )
    # Customers (customers/): the region a number without a country code is read in (E.164,
    # customers/numbers.py); whether customer managers see colleagues' calls on a customer's
    # timeline and card; how recent a colleague's call to the number being typed warns.
    default_region = models.CharField(
        _("default region for numbers"),
        max_length=2,
        default="CN",
        validators=[validate_region],
        help_text=_(
            "Numbers typed without a country code belong to this region, e.g. CN: 13800001234 "
            "is +86 138 0000 1234. Customers are recognised by their number in this form."
        ),
    )
    customer_calls_shared = models.BooleanField(
        _("customer managers see colleagues' calls to a customer"),
        default=True,
        help_text=_(
            "On: a customer's timeline and the card on the call form show every customer "
            "manager's calls to that customer. Off: each customer manager sees their own."
        ),
    )
    colleague_warning_minutes = models.PositiveIntegerField(
        _("warn about a colleague's call within (minutes)"),
        default=30,
        validators=[MaxValueValidator(10080)],
        help_text=_(
            "The call form warns when a colleague called the number being typed this recently. "
            "0: never warn."
        ),
    )
    # The supervisors' live wallboard (calls/wallboard.py): a live call is highlighted once it
    # has lasted this long, then marked more strongly (the settings form keeps warn < alert).
    wallboard_warn_minutes = models.PositiveSmallIntegerField(
        _("live wallboard: highlight a call after (minutes)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("On the live wallboard, a call that has lasted this long is highlighted."),
    )
    wallboard_alert_minutes = models.PositiveSmallIntegerField(
        _("live wallboard: mark a long call after (minutes)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Longer than the first threshold: a call this long is marked as long."),
    )
    # After-call work (calls.services.wrapup; the admin's Wrap-up page): docs/contract-choices.md.
    wrapup_required = models.BooleanField(
        _("wrap-up required for connected calls"),
        default=True,
        help_text=_(
            "On: a call the customer answered stays awaiting wrap-up until its customer manager "
            "picks a disposition."
        ),
    )
    wrapup_call_while_pending = models.BooleanField(
        _("customer managers may place the next call while wrap-ups are pending"),
        default=True,
        help_text=_("Off: a customer manager must wrap up their answered calls before calling."),
    )
    wrapup_edit_minutes = models.PositiveIntegerField(
        _("wrap-up editable for (minutes)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(10080)],
        help_text=_("How long its author may change a wrap-up; then it is read-only."),
    )
    # Guardrails (guardrails/, the admin's Guardrails page; docs/contract-choices.md): checked
    # before every call (guardrails.preflight). Attempt caps per customer across the tenant
    # (0: no cap); calling hours in the customer's local time, one "HH:MM-HH:MM" or "" (closed)
    # per weekday from Monday, ";"-separated, applied only when calling_hours_on; holidays one per
    # line ("2026-10-01 National Day" or "2026-10-01..2026-10-07 Golden Week"); the roles that
    # may call anyway with a typed reason (comma-separated Membership roles).
    calls_per_day = models.PositiveSmallIntegerField(
        _("calls a day to one customer, at most"),
        default=3,
        validators=[MaxValueValidator(1000)],
        help_text=_("Counting the calls placed to the customer's number by anyone. 0: no cap."),
    )
    calls_per_week = models.PositiveSmallIntegerField(
        _("calls a week to one customer, at most"),
        default=10,
        validators=[MaxValueValidator(5000)],
        help_text=_("Monday to Sunday in the customer's local time. 0: no cap."),
    )
    calling_hours_on = models.BooleanField(_("calling hours apply"), default=False)
    calling_hours = models.CharField(
        max_length=120,
        blank=True,
        default="09:00-20:00;09:00-20:00;09:00-20:00;09:00-20:00;09:00-20:00;10:00-18:00;",
    )
    holidays = models.TextField(
        _("holidays"),
        blank=True,
        help_text=_(
            "No calls on these days (in the customer's local time), one per line: a date and a "
            "name, e.g. 2026-10-01 National Day, or a range: 2026-10-01..2026-10-07 Golden Week."
        ),
    )
    override_roles = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # The event types some enabled webhook endpoint of the tenant wants, space-separated (kept by
    # hooks.services): the hot path reads it from the tenant row it has, no query.
    webhook_events = models.CharField(max_length=255, blank=True, editable=False, default="")
    # How many enabled softphones are unhealthy now (calls.services.health keeps it): the admin's
    # banner reads it from the tenant row it has, no query.
    unhealthy_softphones = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_credentials(self) -> bool:
        return bool(self.aicc_base_url and self.app_key and self.app_secret)

    @property
    def is_ita(self) -> bool:
        return self.call_type == self.CallType.ITA

    @property
    def access_code_list(self) -> list[str]:
        return split_lines(self.access_codes)

    @property
    def trustlist(self) -> list[str]:
        return split_lines(self.trial_trustlist)

    @property
    def ranges(self) -> list[tuple[int, int]]:
        out = []
        for line in split_lines(self.softphone_ranges):
            lo, _sep, hi = line.partition("-")
            if lo.strip().isdigit() and (hi.strip().isdigit() or not hi.strip()):
                out.append((int(lo), int(hi or lo)))
        return out

    def in_ranges(self, number: str) -> bool:
        """True when no ranges are recorded, or the number falls inside one."""
        ranges = self.ranges
        return not ranges or (
            number.isdigit() and any(lo <= int(number) <= hi for lo, hi in ranges)
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        MANAGER = "manager", _("Customer manager")
        SUPERVISOR = "supervisor", _("Supervisor")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in People page URLs
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the person last switched to this tenant: links without a tenant open the last one used.
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def can_read_history(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.SUPERVISOR)

    @property
    def requires_two_factor(self) -> bool:
        """Whether the tenant's setting asks this member to sign in with two-factor."""
        rule = self.tenant.two_factor_required
        return rule == Tenant.TwoFactor.EVERYONE or (
            rule == Tenant.TwoFactor.ADMINS and self.role == self.Role.ADMIN
        )

    @cached_property
    def active_mapping(self) -> "SoftphoneMapping | None":
        """The member's enabled softphone mapping in this tenant (what a customer manager calls
        from), or None."""
        mapping = _ACTIVE_MAPPING.first(tenant_id=self.tenant_id, user_id=self.user_id)
        if mapping is not None:
            mapping.tenant = self.tenant
        return mapping


class SoftphoneMapping(models.Model):
    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="softphones")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="softphones")
    softphone = models.CharField(
        _("softphone number"), max_length=32, validators=[digits_validator]
    )
    calling_number = models.CharField(
        _("calling number (mobile)"),
        max_length=32,
        blank=True,
        validators=[digits_validator],
        help_text=_("Optional: the manager's own mobile, sent to AICC as the caller."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Health (calls.softphone_health, kept by calls.services.health as outcomes are stored): the
    # calls in a row that did not get through to this softphone, by kind, since when; the last
    # answered call; whether it is unhealthy, since when.
    health_not_reached = models.PositiveIntegerField(default=0, editable=False)
    health_unanswered = models.PositiveIntegerField(default=0, editable=False)
    health_refused = models.PositiveIntegerField(default=0, editable=False)
    health_since = models.DateTimeField(null=True, editable=False)
    health_last_ok_at = models.DateTimeField(null=True, editable=False)
    health_unhealthy = models.BooleanField(default=False, editable=False)
    health_changed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["softphone"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "softphone"], name="softphone_unique_in_tenant"
            ),
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=Q(enabled=True),
                name="one_active_softphone_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.softphone


# Prepared (console/prepared.py): the call page and every placed call read it.
_ACTIVE_MAPPING = Prepared(
    lambda tenant_id, user_id: SoftphoneMapping.objects.filter(
        tenant_id=tenant_id, user_id=user_id, enabled=True
    )[:1],
    tenant_id=int,
    user_id=int,
)


class Invitation(models.Model):
    """An invitation to join a tenant, sent to an e-mail address, accepted by a signed-in person
    whose account has that address (or who creates their account from it). Only the token's hash
    is stored; the token itself is in the e-mailed link. Accepted, declined or revoked
    invitations are deleted (the audit log keeps the story)."""

    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in People page URLs
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))  # lower-cased
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], name="one_invitation_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.tenant} ({self.role})"


class AuditEntry(models.Model):
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(
        default=dict, blank=True
    )  # {"field": [before, after]}; secrets: "changed"
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class Session(AbstractBaseSession):
    """Django's database session plus the user it is logged in as (kept by console.sessions on
    every save): a user's sessions can be found, and go with the user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="sessions"
    )


class RateEvent(models.Model):
    """One use of something rate-limited (console.ratelimit), in the database so that every
    process and host counts the same uses. `key` is a hash, never the e-mail or address itself."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="rate_event_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M}"
