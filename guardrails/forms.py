"""The guardrails' forms: the tenant's rules, one do-not-call number, and the all-or-nothing
do-not-call CSV import (with line numbers, like the softphone and customer imports)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from console.csv_rows import CsvImportForm
from console.models import Membership, Tenant
from customers.numbers import to_e164
from guardrails import rules
from guardrails.models import REASON_MAX
from guardrails.services import DncRow

# The import's and export's columns, in order (an export imports again).
COLUMNS = ("number", "reason", "until", "added_by", "added_at")
WEEKDAY_LABELS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
# Roles that place calls: only they can use the right to call anyway (console.access).
OVERRIDE_CHOICES = [(Membership.Role.MANAGER, _("Customer managers"))]


def until_to_expiry(day: date | None, tenant: Tenant) -> datetime | None:
    """An entry listed "until" a day stays on the list through that day in the tenant's zone."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tenant.time_zone))


def expiry_to_until(at: datetime | None, tenant: Tenant) -> date | None:
    if at is None:
        return None
    return (at.astimezone(ZoneInfo(tenant.time_zone)) - timedelta(microseconds=1)).date()


class RulesForm(forms.ModelForm):
    """Caps, calling hours (a window per weekday), holidays, who may call anyway."""

    override_roles = forms.MultipleChoiceField(
        label=_("May call anyway, with a typed reason"),
        choices=OVERRIDE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Past the do-not-call list, the caps and the calling hours. The reason is kept on "
            "the call, shown in the history and exports, and audited."
        ),
    )

    class Meta:
        model = Tenant
        fields = ("calls_per_day", "calls_per_week", "calling_hours_on", "holidays")
        widgets = {"holidays": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        windows = rules.parse_hours(self.instance.calling_hours)
        self.day_names = []
        for i, label in enumerate(WEEKDAY_LABELS):
            name = f"hours_{i}"
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=16,
                initial=rules.format_window(windows[i]),
                widget=forms.TextInput(
                    attrs={"placeholder": "09:00-18:00", "inputmode": "numeric"}
                ),
                help_text=_("HH:MM-HH:MM in the customer's local time; empty: no calls that day."),
            )
            self.day_names.append(name)
        self.fields["calling_hours_on"].help_text = _(
            "On: calls are refused outside these hours and on the holidays below, in the "
            "customer's local time (from their number; else the tenant's time zone)."
        )
        self.initial["override_roles"] = sorted(rules.role_set(self.instance.override_roles))

    def day_fields(self):
        return [self[n] for n in self.day_names]

    def other_fields(self):
        return [self[n] for n in self.fields if n not in self.day_names]

    def clean(self):
        data = super().clean()
        windows = []
        for name in self.day_names:
            try:
                windows.append(rules.parse_window(data.get(name) or ""))
            except rules.RuleError:
                self.add_error(name, _("Write the hours as HH:MM-HH:MM, closing after opening."))
        if len(windows) == rules.WEEKDAYS:
            data["calling_hours"] = rules.format_hours(windows)
            if data.get("calling_hours_on") and all(w is None for w in windows):
                self.add_error(None, _("With calling hours on, at least one day needs hours."))
        data["override_roles"] = ",".join(sorted(data.get("override_roles") or []))
        return data

    def clean_holidays(self):
        text = self.cleaned_data.get("holidays", "")
        try:
            rules.read_holidays(text)
        except rules.RuleError as e:
            raise ValidationError(
                _(
                    "Line %(n)d: write a date (2026-10-01) or a range (2026-10-01..2026-10-07), "
                    "then the name."
                ),
                params={"n": e.line},
            ) from e
        return text.strip()


class DncForm(forms.Form):
    number = forms.CharField(
        label=_("Number"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the last day the number stays on the list. Empty: for good."),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_number(self):
        e164 = to_e164(self.cleaned_data["number"], self.tenant.default_region)
        if not e164:
            raise ValidationError(_("This is not a phone number."))
        return e164

    @property
    def expires_at(self):
        return until_to_expiry(self.cleaned_data.get("until"), self.tenant)


class DncImportForm(CsvImportForm):
    """The do-not-call import (number, reason, until): the shared all-or-nothing CSV form
    (console/csv_rows.py); only the rows' checks are the list's own."""

    columns_help = _(
        "Columns: number, reason, until (YYYY-MM-DD, optional). Only the number is "
        "required. A header row is fine; an export imports again."
    )
    placeholder = "13800001234,Asked by phone"
    max_cell = REASON_MAX
    MAX_ROWS = 50_000

    def _validate_rows(self, content: str) -> None:
        region = self.tenant.default_region
        seen: dict[str, int] = {}
        for lineno, cells in self.numbered_rows(content):
            number = to_e164(cells[0].lstrip("'"), region)
            if lineno == 1 and not number:
                continue  # a header row
            if not number:
                self.row_error(lineno, _("%(value)s is not a phone number.") % {"value": cells[0]})
                continue
            until = None
            if len(cells) > 2 and cells[2]:
                try:
                    until = date.fromisoformat(cells[2])
                except ValueError:
                    self.row_error(lineno, _("the date must be YYYY-MM-DD."))
                    continue
            if number in seen:
                self.row_error(
                    lineno,
                    _("%(number)s also appears on line %(line)d.")
                    % {"number": number, "line": seen[number]},
                )
                continue
            seen[number] = lineno
            reason = cells[1] if len(cells) > 1 else ""
            self.rows.append(DncRow(number, reason, until_to_expiry(until, self.tenant)))
            if len(self.rows) > self.MAX_ROWS:
                self.row_error(lineno, _("at most 50,000 rows in one import."))
                return
