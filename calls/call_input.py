"""The one set of rules for what a call sends: the web form, a deep link's prefill, the command
line (`aicc_call`) and `calls.services.placing.call_place` (so any later API too) all apply these,
and nothing that breaks one is sent to AICC.

Vendor rules (docs/vendor/createCall-v3.txt, Table 2): softPhone and called are required; caller,
softPhone, called: string(32); callData: string(1024), not for ITA; callerPresent: an access code,
or (once O&M enabled calling number anonymization) an access code or 11 to 14 digits, not for
ITA. Ours (docs/contract-choices.md): numbers are digits only after `calls.numbers.normalise`,
and a customer number has at least the tenant's `called_min_digits` digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.numbers import normalise, validate_number
from console.models import Tenant

CALL_DATA_MAX = 1024  # createCall callData: string(1024) [doc]
PRESENT_DIGITS = (11, 14)  # callerPresent with anonymization: "a number of 11 to 14 digits" [doc]

# The fields of one call, in the order they are reported. softphone and caller come from the
# manager's softphone mapping (the admin's to correct); the others are typed for the call.
FIELDS = ("softphone", "caller", "called", "call_data", "caller_present")
AGENT_FIELDS = frozenset({"softphone", "caller"})
# createCall's names for them, for the stored detail of a refusal.
WIRE_NAMES = {
    "softphone": "softPhone",
    "caller": "caller",
    "called": "called",
    "call_data": "callData",
    "caller_present": "callerPresent",
}


def clean_softphone(raw: str) -> str:
    return validate_number(normalise(raw))


def clean_caller(raw: str) -> str:
    """The agent-side calling number: optional."""
    number = normalise(raw)
    return validate_number(number) if number else ""


def clean_called(tenant: Tenant, raw: str) -> str:
    number = validate_number(normalise(raw))
    minimum = tenant.called_min_digits
    if len(number) < minimum:
        raise ValidationError(
            _("A customer number has at least %(min)s digits."),
            code="too_short",
            params={"min": minimum},
        )
    return number


def clean_call_data(tenant: Tenant, raw: str) -> str:
    data = raw or ""
    if data and tenant.is_ita:  # "ITA bidirectional calls do not support the callData field"
        raise ValidationError(_("ITA two-way calls cannot carry call data."), code="not_supported")
    if len(data) > CALL_DATA_MAX:
        raise ValidationError(_("Call data is limited to 1024 characters."), code="length")
    return data


def clean_caller_present(tenant: Tenant, raw: str) -> str:
    value = normalise(raw)
    if not value:
        return ""  # omitted: AICC shows the tenant space's access code
    if tenant.is_ita:  # "ITA bidirectional calls do not support the callerPresent field"
        raise ValidationError(
            _("ITA two-way calls cannot choose the number the customer sees."),
            code="not_supported",
        )
    if value in tenant.access_code_list:
        return value
    low, high = PRESENT_DIGITS
    if tenant.anonymization_enabled:
        if value.isdigit() and low <= len(value) <= high:
            return value
        raise ValidationError(
            _("Use one of your access codes or a number of 11 to 14 digits."), code="present"
        )
    raise ValidationError(_("Choose one of your tenant's access codes."), code="access_code")


@dataclass(frozen=True)
class Checked:
    """The values of one call, cleaned where valid (else as given), and what is wrong."""

    values: dict[str, str]
    errors: dict[str, list[ValidationError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self) -> dict[str, list[str]]:
        """Each refused field's messages, in the active language."""
        return {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in self.errors.items()
        }

    def refusal(self) -> tuple[str, str, str] | None:
        """(reason source, code, detail) to store when the console refuses the call, else None.
        A wrong number in the softphone mapping is the admin's to fix; anything else, the caller's.
        The detail names the fields as createCall does, with the rule each one broke."""
        if self.ok:
            return None
        code = "agent_number" if AGENT_FIELDS & set(self.errors) else "input"
        broken = "; ".join(
            f"{WIRE_NAMES[name]}: {', '.join(e.code or 'invalid' for e in errors)}"
            for name, errors in self.errors.items()
        )
        return ("console", code, f"Refused by the console, nothing sent. {broken}"[:255])


def check(
    tenant: Tenant,
    *,
    softphone: str,
    called: str,
    caller: str = "",
    call_data: str = "",
    caller_present: str = "",
) -> Checked:
    """Every rule, every field: the cleaned values and each field's errors (no query is made:
    everything needed is on the tenant)."""
    raw = {
        "softphone": softphone or "",
        "caller": caller or "",
        "called": called or "",
        "call_data": call_data or "",
        "caller_present": caller_present or "",
    }
    rules = {
        "softphone": clean_softphone,
        "caller": clean_caller,
        "called": lambda v: clean_called(tenant, v),
        "call_data": lambda v: clean_call_data(tenant, v),
        "caller_present": lambda v: clean_caller_present(tenant, v),
    }
    values, errors = {}, {}
    for name in FIELDS:
        try:
            values[name] = rules[name](raw[name])
        except ValidationError as e:
            values[name] = raw[name]
            errors[name] = e.error_list
    return Checked(values=values, errors=errors)
