"""Forms for the tenant admin pages. Forms validate and normalise; views decide the tenant and
copy cleaned values onto the models field by field. No form has a tenant field."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.numbers import normalise, validate_number
from calls.services.outbound import Blocked, check
from console.csv_rows import CsvImportForm
from console.models import (
    CALLED_MIN_DIGITS_DEFAULT,
    CREDENTIAL_FIELDS,
    SETTINGS_FIELDS,
    Membership,
    SoftphoneMapping,
    Tenant,
    split_lines,
    validate_aicc_url,
    validate_time_zone,
    who,
)
from console.selectors import managers_of, mapping_conflicts
from customers.numbers import regions

Role = Membership.Role

# --------------------------------------------------------------------------------------
# Tenant settings and credentials
# --------------------------------------------------------------------------------------


def _model_field(name: str, **extra) -> forms.Field:
    """The form field the model describes (label, help text, limits); the model's own
    validators are passed in `extra`, since a form field does not take them over."""
    return Tenant._meta.get_field(name).formfield(**extra)


def _number_lines(text: str) -> str:
    """One number per line, each normalised and validated (for access codes and trustlists)."""
    out = []
    for line in split_lines(text):
        number = normalise(line)
        try:
            validate_number(number)
        except ValidationError:
            raise ValidationError(
                _("“%(line)s” is not a phone number (digits only)."), params={"line": line}
            ) from None
        out.append(number)
    return "\n".join(out)


class TenantSettingsForm(forms.Form):
    name = _model_field("name")
    aicc_base_url = _model_field("aicc_base_url", validators=[validate_aicc_url])
    aicc_token_url = _model_field("aicc_token_url", validators=[validate_aicc_url])
    app_key = _model_field("app_key")
    app_secret = forms.CharField(
        label=_("App secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Write-only. Leave blank to keep the current secret."),
    )
    clear_secret = forms.BooleanField(label=_("Clear the app secret"), required=False)
    call_type = _model_field("call_type")
    is_trial = _model_field("is_trial")
    trial_trustlist = _model_field("trial_trustlist", widget=forms.Textarea(attrs={"rows": 3}))
    access_codes = _model_field("access_codes", widget=forms.Textarea(attrs={"rows": 3}))
    anonymization_enabled = _model_field("anonymization_enabled")
    softphone_ranges = _model_field("softphone_ranges", widget=forms.Textarea(attrs={"rows": 3}))
    # Not required: empty means the default (a form posted without it keeps working).
    called_min_digits = _model_field("called_min_digits", required=False, min_value=1, max_value=32)
    token_lifetime = _model_field("token_lifetime", min_value=60, max_value=3600)
    time_zone = _model_field("time_zone", validators=[validate_time_zone])
    two_factor_required = _model_field("two_factor_required")
    api_self_service = _model_field("api_self_service")
    api_rate_per_minute = _model_field("api_rate_per_minute", min_value=1, max_value=100000)
    default_region = forms.ChoiceField(
        label=Tenant._meta.get_field("default_region").verbose_name,
        help_text=Tenant._meta.get_field("default_region").help_text,
        choices=regions,
    )
    # A choice, not a checkbox: a form posted without it (a page loaded before it existed)
    # keeps the setting instead of turning it off.
    customer_calls_shared = forms.TypedChoiceField(
        label=Tenant._meta.get_field("customer_calls_shared").verbose_name,
        help_text=Tenant._meta.get_field("customer_calls_shared").help_text,
        choices=[
            (True, _("Yes: every customer manager's calls")),
            (False, _("No: only their own calls")),
        ],
        coerce=lambda value: value in (True, "True"),
    )
    colleague_warning_minutes = _model_field(
        "colleague_warning_minutes", min_value=0, max_value=10080
    )
    wallboard_warn_minutes = _model_field("wallboard_warn_minutes", min_value=1, max_value=240)
    wallboard_alert_minutes = _model_field("wallboard_alert_minutes", min_value=1, max_value=240)

    def __init__(self, data=None, *args, tenant: Tenant, **kwargs):
        initial = {f: getattr(tenant, f) for f in SETTINGS_FIELDS + CREDENTIAL_FIELDS[:3]}
        # Sent by a page loaded before these settings existed: they stay as they are.
        for name in (
            "two_factor_required",
            "api_rate_per_minute",
            "default_region",
            "customer_calls_shared",
            "colleague_warning_minutes",
            "wallboard_warn_minutes",
            "wallboard_alert_minutes",
        ):
            if data is not None and name not in data:
                data = data.copy()
                data[name] = getattr(tenant, name)
        super().__init__(data, *args, initial=initial, **kwargs)
        self.tenant = tenant

    def _clean_address(self, name: str) -> str:
        url = self.cleaned_data[name]
        if url:
            try:
                check(url)
            except Blocked:
                raise ValidationError(
                    _(
                        "The console does not connect to this address: it is inside a private "
                        "network (or not https)."
                    )
                ) from None
        return url

    def clean_aicc_base_url(self):
        return self._clean_address("aicc_base_url")

    def clean_aicc_token_url(self):
        return self._clean_address("aicc_token_url")

    def clean_trial_trustlist(self):
        return _number_lines(self.cleaned_data["trial_trustlist"])

    def clean_access_codes(self):
        return _number_lines(self.cleaned_data["access_codes"])

    def clean_called_min_digits(self):
        value = self.cleaned_data.get("called_min_digits")
        return CALLED_MIN_DIGITS_DEFAULT if value is None else value

    def clean_softphone_ranges(self):
        out = []
        for line in split_lines(self.cleaned_data["softphone_ranges"]):
            lo, sep, hi = (part.strip() for part in line.partition("-"))
            hi = hi if sep else lo
            if not (lo.isdigit() and hi.isdigit() and int(lo) <= int(hi)):
                raise ValidationError(
                    _("“%(line)s” is not a range: write 10001-10099 or a single number."),
                    params={"line": line},
                )
            out.append(lo if lo == hi else f"{lo}-{hi}")
        return "\n".join(out)

    def clean(self):
        data = super().clean()
        if data.get("app_secret") and data.get("clear_secret"):
            self.add_error(
                "clear_secret", _("Either type a new secret or clear it, not both at once.")
            )
        warn, alert = data.get("wallboard_warn_minutes"), data.get("wallboard_alert_minutes")
        if warn is not None and alert is not None and alert <= warn:
            self.add_error(
                "wallboard_alert_minutes",
                _("Make this longer than the first threshold (%(warn)s minutes).") % {"warn": warn},
            )
        return data

    def new_secret(self) -> str | None:
        """The secret to store: a new value, "" to clear it, or None to keep the current one."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("app_secret") or None


# --------------------------------------------------------------------------------------
# Softphone mappings
# --------------------------------------------------------------------------------------


def clean_softphone(tenant: Tenant, raw: str) -> str:
    number = validate_number(normalise(raw))
    if not tenant.in_ranges(number):
        raise ValidationError(
            _("%(number)s is outside this tenant's softphone ranges (%(ranges)s)."),
            params={"number": number, "ranges": ", ".join(split_lines(tenant.softphone_ranges))},
        )
    return number


def clean_calling_number(raw: str) -> str:
    number = normalise(raw)
    return validate_number(number) if number else ""


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return who(obj)


class MappingForm(forms.Form):
    user = UserChoiceField(
        label=_("Customer manager"), queryset=User.objects.none(), to_field_name="username"
    )
    softphone = forms.CharField(
        label=_("Softphone number"),
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("A number AICC allocated to the tenant (see the allocated list)."),
    )
    calling_number = forms.CharField(
        label=_("Calling number (mobile)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=SoftphoneMapping._meta.get_field("calling_number").help_text,
    )

    def __init__(self, *args, tenant: Tenant, instance: SoftphoneMapping | None = None, **kw):
        if instance is not None:
            kw.setdefault(
                "initial",
                {
                    "user": instance.user.username,
                    "softphone": instance.softphone,
                    "calling_number": instance.calling_number,
                },
            )
        super().__init__(*args, **kw)
        self.tenant, self.instance = tenant, instance
        self.fields["user"].queryset = managers_of(tenant)

    def clean_softphone(self):
        return clean_softphone(self.tenant, self.cleaned_data["softphone"])

    def clean_calling_number(self):
        return clean_calling_number(self.cleaned_data["calling_number"])

    def clean(self):
        data = super().clean()
        if "softphone" in data:
            errors = mapping_conflicts(
                self.tenant,
                user=data.get("user"),
                softphone=data["softphone"],
                enabled=self.instance.enabled if self.instance else True,
                exclude_pk=self.instance.pk if self.instance else None,
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


@dataclass
class ImportRow:
    line: int
    user: User
    softphone: str
    calling_number: str
    existing: SoftphoneMapping | None  # same user, same number: the calling number is updated


class ImportForm(CsvImportForm):
    columns_help = _(
        "Columns: username or e-mail, softphone number, calling number (optional). "
        "A header row is fine."
    )
    placeholder = "bob,10001,13900000001"

    def _validate_rows(self, content: str) -> None:
        tenant = self.tenant
        users = {}
        for u in managers_of(tenant):
            users[u.username.lower()] = u
            if u.email:
                users.setdefault(u.email.lower(), u)
        mappings = list(tenant.softphones.select_related("user"))
        by_number = {m.softphone: m for m in mappings}
        active_by_user = {m.user_id: m for m in mappings if m.enabled}
        seen_numbers, seen_users = {}, {}
        for lineno, cells in self.numbered_rows(content):
            if lineno == 1 and not normalise(cells[1] if len(cells) > 1 else "").isdigit():
                continue  # a header row: its softphone column holds a title, not a number
            error = self._row_error(cells, users)
            if isinstance(error, str):
                self.row_error(lineno, error)
                continue
            user, softphone, calling = error
            problem = None
            existing = by_number.get(softphone)
            if softphone in seen_numbers:
                problem = _("%(number)s also appears on line %(line)d.") % {
                    "number": softphone,
                    "line": seen_numbers[softphone],
                }
            elif user.pk in seen_users:
                problem = _("%(who)s also appears on line %(line)d.") % {
                    "who": who(user),
                    "line": seen_users[user.pk],
                }
            elif existing is not None and existing.user_id != user.pk:
                problem = _("%(number)s is already mapped to %(who)s.") % {
                    "number": softphone,
                    "who": who(existing.user),
                }
            elif existing is None and user.pk in active_by_user:
                problem = _("%(who)s already has softphone %(number)s; disable it first.") % {
                    "who": who(user),
                    "number": active_by_user[user.pk].softphone,
                }
            if problem:
                self.row_error(lineno, problem)
                continue
            seen_numbers[softphone], seen_users[user.pk] = lineno, lineno
            self.rows.append(ImportRow(lineno, user, softphone, calling, existing))

    def _row_error(self, cells: list[str], users: dict):
        """(user, softphone, calling number), or the message for a bad row."""
        if len(cells) < 2:
            return str(_("expected at least two columns: user, softphone."))
        user = users.get(cells[0].lower())
        if user is None:
            return str(_("“%(who)s” is not a customer manager of this tenant.") % {"who": cells[0]})
        try:
            softphone = clean_softphone(self.tenant, cells[1])
            calling = clean_calling_number(cells[2] if len(cells) > 2 else "")
        except ValidationError as e:
            return " ".join(e.messages)
        return user, softphone, calling


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class NewPersonRoleForm(RoleForm):
    """Someone added to the tenant is a customer manager unless the admin chooses otherwise."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MANAGER)


class InviteForm(NewPersonRoleForm):
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_(
            "They get a link by e-mail, and join after signing in with their account (or "
            "creating one)."
        ),
    )

    field_order = ["email", "role"]


class JoinForm(forms.Form):
    """The account an invited person creates: the invited address is its e-mail."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        candidate = User(
            username=data.get("username", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        if data.get("password"):
            try:
                password_validation.validate_password(data["password"], candidate)
            except ValidationError as e:
                self.add_error("password", e)
        return data


class CreateUserForm(NewPersonRoleForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave blank to e-mail an invitation instead: the person then sets a password "
            "through a password-reset link."
        ),
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "password"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _(
                    "That username is taken; choose another. Someone who already has an "
                    "account joins by invitation instead."
                )
            )
        return username

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if not password and not data.get("email"):
            self.add_error(
                "email", _("Give an e-mail address for the invitation, or an initial password.")
            )
        if password:
            candidate = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as e:
                self.add_error("password", e)
        return data


# --------------------------------------------------------------------------------------
# Two-factor sign-in
# --------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    """A code from the authenticator app (or, when signing in, a recovery code)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            _("The 6-digit code your authenticator app shows now, or one of your recovery codes.")
            if recovery
            else _("The 6-digit code the app shows now.")
        )
        if recovery:  # the one field of the sign-in step
            self.fields["code"].widget.attrs["autofocus"] = True


class ProofForm(forms.Form):
    """Confirming a change of two-factor sign-in: the password or a current code."""

    proof = forms.CharField(
        label=_("Your password, or a code from your app"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
