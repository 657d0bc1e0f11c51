"""The customer form and the customer CSV import. Numbers are read in the tenant's default region
and kept in E.164 (customers/numbers.py); one number is one customer of the tenant."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from console.csv_rows import CsvImportForm
from console.models import Tenant
from customers.models import NAME_MAX, Customer, CustomerNumber
from customers.numbers import to_e164

MAX_NUMBERS = 10  # numbers of one customer
NOTES_MAX = 2000
# The import's and export's columns, in order (an export can be imported again).
COLUMNS = ("name", "number", "company", "crm_id", "notes", "other_numbers")


def clean_number(tenant: Tenant, raw: str) -> str:
    number = to_e164(raw, tenant.default_region)
    if not number:
        raise ValidationError(
            _("“%(number)s” is not a phone number of %(region)s or with a country code."),
            code="number",
            params={"number": raw, "region": tenant.default_region},
        )
    return number


def split_numbers(text: str) -> list[str]:
    return [n.strip() for n in text.replace(";", "\n").replace(",", "\n").splitlines() if n.strip()]


def owners(tenant: Tenant, numbers, exclude: Customer | None = None) -> dict[str, Customer]:
    """{number: the customer it belongs to} for those of `numbers` taken in the tenant."""
    qs = CustomerNumber.objects.filter(tenant_id=tenant.pk, number__in=list(numbers))
    if exclude is not None:
        qs = qs.exclude(customer_id=exclude.pk)
    return {row.number: row.customer for row in qs.select_related("customer")}


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    number = forms.CharField(
        label=_("Number"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_(
            "The number the customer is called on; a leading + and country code if abroad."
        ),
    )
    other_numbers = forms.CharField(
        label=_("Other numbers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    company = forms.CharField(label=_("Company"), max_length=NAME_MAX, required=False)
    crm_id = forms.CharField(label=_("CRM id"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, tenant: Tenant, instance: Customer | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            numbers = [n for n in instance.numbers.values_list("number", flat=True)]
            kwargs["initial"] = {
                "name": instance.name,
                "number": instance.primary_number,
                "other_numbers": "\n".join(n for n in numbers if n != instance.primary_number),
                "company": instance.company,
                "crm_id": instance.crm_id,
                "notes": instance.notes,
            }
        super().__init__(*args, **kwargs)
        self.tenant, self.instance = tenant, instance

    def clean_number(self):
        return clean_number(self.tenant, self.cleaned_data["number"])

    def clean_other_numbers(self):
        out = []
        for raw in split_numbers(self.cleaned_data.get("other_numbers", "")):
            out.append(clean_number(self.tenant, raw))
        if len(out) >= MAX_NUMBERS:
            raise ValidationError(
                _("A customer has at most %(n)d numbers."), params={"n": MAX_NUMBERS}
            )
        return out

    def clean(self):
        data = super().clean()
        if "number" not in data or "other_numbers" not in data:
            return data
        numbers = list(dict.fromkeys([data["number"], *data["other_numbers"]]))
        data["numbers"] = numbers
        taken = owners(self.tenant, numbers, exclude=self.instance)
        for number, customer in taken.items():
            where = "number" if number == data["number"] else "other_numbers"
            self.add_error(
                where,
                _("%(number)s is already the number of %(name)s.")
                % {"number": number, "name": customer.name},
            )
        return data


# --------------------------------------------------------------------------------------
# CSV import: every row checked first, nothing imported if any row has a problem
# (the shape and words of the softphone import, console/forms.py)
# --------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    name: str
    numbers: list[str]  # primary first
    company: str
    crm_id: str
    notes: str
    existing: Customer | None  # a row whose number is a customer's updates that customer


class CustomerImportForm(CsvImportForm):
    columns_help = _(
        "Columns: name, number, company, CRM id, notes, other numbers (separated by ;). "
        "Only name and number are required. A header row is fine."
    )
    placeholder = "Li Lei,13800001234,Acme Ltd,crm-42"
    max_cell = NOTES_MAX
    MAX_ROWS = 20_000

    def _validate_rows(self, content: str) -> None:
        tenant = self.tenant
        parsed = []
        for lineno, cells in self.numbered_rows(content):
            number = cells[1] if len(cells) > 1 else ""
            if lineno == 1 and not to_e164(number, tenant.default_region):
                continue  # a header row: its number column holds a title, not a number
            row = self._row(lineno, cells)
            if isinstance(row, str):
                self.row_error(lineno, row)
                continue
            parsed.append(row)
            if len(parsed) > self.MAX_ROWS:
                self.row_error(lineno, _("at most 20,000 rows in one import."))
                return
        # One query for every number of the file: which are already a customer's.
        taken = owners(tenant, {n for row in parsed for n in row.numbers})
        seen: dict[str, int] = {}
        for row in parsed:
            problem = None
            for number in row.numbers:
                if number in seen:
                    problem = _("%(number)s also appears on line %(line)d.") % {
                        "number": number,
                        "line": seen[number],
                    }
                    break
            mine = {taken[n].pk: taken[n] for n in row.numbers if n in taken}
            if problem is None and len(mine) > 1:
                names = ", ".join(sorted(c.name for c in mine.values()))
                problem = _("its numbers belong to different customers (%(names)s).") % {
                    "names": names
                }
            if problem:
                self.row_error(row.line, problem)
                continue
            for number in row.numbers:
                seen[number] = row.line
            row.existing = next(iter(mine.values()), None)
            self.rows.append(row)

    def _row(self, lineno: int, cells: list[str]):
        """The row, or the message for a bad one."""
        if len(cells) < 2:
            return str(_("expected at least two columns: name, number."))
        cells = cells + [""] * (len(COLUMNS) - len(cells))
        name, number, company, crm_id, notes, others = cells[: len(COLUMNS)]
        if not name:
            return str(_("the name is empty."))
        for value, limit, label in (
            (name, NAME_MAX, _("name")),
            (company, NAME_MAX, _("company")),
            (crm_id, 100, _("CRM id")),
        ):
            if len(value) > limit:
                return str(
                    _("the %(column)s is longer than %(n)d characters.")
                    % {"column": label, "n": limit}
                )
        try:
            numbers = [clean_number(self.tenant, number)]
            numbers += [clean_number(self.tenant, n) for n in split_numbers(others)]
        except ValidationError as e:
            return " ".join(e.messages)
        numbers = list(dict.fromkeys(numbers))
        if len(numbers) > MAX_NUMBERS:
            return str(_("A customer has at most %(n)d numbers.") % {"n": MAX_NUMBERS})
        return ImportRow(lineno, name, numbers, company, crm_id, notes, None)
