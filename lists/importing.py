"""Reading a call list's file (CSV or XLSX): every row checked first, nothing imported if any row
has a problem (the line numbers say where); duplicates and do-not-call numbers are not errors:
they are left out and reported.

The first row names the columns (English or Chinese titles, any order). Only a number column is
required; the known ones are below; every other column is kept with the entry as context.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from console.csv_rows import csv_rows
from console.models import Membership
from customers.numbers import to_e164
from lists import donotcall
from lists.models import CONTEXT_MAX, NAME_MAX, NO_DUE_END, CallList, ListEntry

MAX_BYTES = 32_000_000
MAX_ROWS = 200_000
MAX_EXTRA = 20  # extra columns kept
EXTRA_MAX = 500  # characters of one extra cell
REPORTED = 200  # lines named in the report, per kind

# column -> the titles that name it (compared lowercased, without spaces, - and _)
TITLES = {
    "number": ("number", "phone", "phonenumber", "mobile", "tel", "号码", "电话", "手机", "手机号"),
    "name": ("name", "customer", "姓名", "名称", "客户"),
    "company": ("company", "organisation", "organization", "公司", "单位"),
    "context": ("context", "note", "notes", "comment", "备注", "说明"),
    "due_start": ("duestart", "duefrom", "from", "开始", "开始时间"),
    "due_end": ("dueend", "dueby", "due", "until", "截止", "截止时间"),
    "priority": ("priority", "优先级"),
    "manager": ("manager", "assignee", "客户经理", "负责人"),
}
_BY_TITLE = {t: col for col, titles in TITLES.items() for t in titles}


def _key(title: str) -> str:
    return "".join(ch for ch in title.strip().lower() if ch not in " -_")


@dataclass
class Report:
    """What an import did (or would do): the rows to import, and those left out."""

    rows: list[dict] = field(default_factory=list)  # the entries' fields, by attname
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    do_not_call: list[str] = field(default_factory=list)
    duplicate_count: int = 0
    do_not_call_count: int = 0
    imported: int = 0

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "duplicates": self.duplicate_count,
            "do_not_call": self.do_not_call_count,
            "duplicate_lines": [str(x) for x in self.duplicates],
            "do_not_call_lines": [str(x) for x in self.do_not_call],
        }


def read_upload(upload) -> list | None:
    """The rows of an uploaded CSV or XLSX file (lists of cells; None for a line that is no
    CSV row). XLSX is told by its content (a zip), not its name."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 32 MB)."))
    data = upload.read()
    if data[:4] == b"PK\x03\x04":
        return list(xlsx_rows(data))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv_rows(data.decode(encoding), max_cell=CONTEXT_MAX))
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Save the file as UTF-8 CSV or as XLSX and try again."))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_rows(data: bytes):
    """The first sheet's rows, read in openpyxl's read-only (streaming) mode."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(_("This file could not be read as XLSX: save it again.")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in values]
            yield None if any(len(c) > CONTEXT_MAX for c in cells) else cells
    finally:
        book.close()


def _when(text: str, tz: ZoneInfo, end: bool) -> datetime:
    """A due time: "2026-05-04" (the start or the end of that day) or "2026-05-04 14:30", in
    the tenant's time zone unless it says its offset."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end else time.min, tz)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


class ListImport:
    """Check `rows` (the file's, title row first) for `call_list`; `report` says what."""

    def __init__(self, call_list: CallList, rows: list, *, now: datetime):
        self.list, self.tenant = call_list, call_list.tenant
        self.now = now
        self.report = Report()
        self.managers_used: set[User] = set()
        self._check(rows)

    def _error(self, line: int, message) -> None:
        self.report.errors.append(_("Line %(n)d: %(e)s") % {"n": line, "e": message})

    def _columns(self, titles: list[str]) -> dict[int, str] | None:
        columns: dict[int, str] = {}
        for i, title in enumerate(titles):
            col = _BY_TITLE.get(_key(title))
            if col is not None and col not in columns.values():
                columns[i] = col
            elif title.strip() and len([c for c in columns.values() if c.startswith("x:")]) < (
                MAX_EXTRA
            ):
                columns[i] = "x:" + title.strip()[:60]
        if "number" not in columns.values():
            return None
        return columns

    def _check(self, rows: list) -> None:
        tenant = self.tenant
        if not rows or rows[0] is None or not any(c.strip() for c in rows[0]):
            self.report.errors.append(
                _("The first row must name the columns, one of them “number”.")
            )
            return
        columns = self._columns(rows[0])
        if columns is None:
            self.report.errors.append(
                _("The first row must name the columns, one of them “number”.")
            )
            return
        if len(rows) - 1 > MAX_ROWS:
            self.report.errors.append(_("At most 200,000 rows in one import."))
            return
        managers = {}
        for m in Membership.objects.filter(
            tenant_id=tenant.pk, role=Membership.Role.MANAGER
        ).select_related("user"):
            managers[m.user.username.lower()] = m.user
            if m.user.email:
                managers.setdefault(m.user.email.lower(), m.user)
        tz = ZoneInfo(tenant.time_zone)
        region = tenant.default_region
        seen: dict[str, int] = {}
        existing = set(
            ListEntry.objects.filter(list_id=self.list.pk).values_list("customer_number", flat=True)
        )
        report = self.report
        for line, cells in enumerate(rows[1:], start=2):
            if cells is None:
                self._error(line, _("it is not a CSV row."))
                continue
            if not any(c.strip() for c in cells):
                continue
            values = {"number": "", "name": "", "company": "", "context": ""}
            extra = {}
            for i, col in columns.items():
                value = cells[i].strip() if i < len(cells) else ""
                if col.startswith("x:"):
                    if value:
                        extra[col[2:]] = value[:EXTRA_MAX]
                else:
                    values[col] = value
            problem = self._row_problem(values, region, tz, managers)
            if problem is not None:
                self._error(line, problem)
                continue
            number = values["e164"]
            if number in seen or number in existing:
                report.duplicate_count += 1
                if len(report.duplicates) < REPORTED:
                    if number in seen:
                        text = _("Line %(n)d: %(number)s also appears on line %(other)d.") % {
                            "n": line,
                            "number": number,
                            "other": seen[number],
                        }
                    else:
                        text = _("Line %(n)d: %(number)s is already in this list.") % {
                            "n": line,
                            "number": number,
                        }
                    report.duplicates.append(text)
                continue
            seen[number] = line
            start, end = values.get("due_start_at"), values.get("due_end_at")
            # A plain dict per entry (lists.services.insert_entries): no model instance.
            report.rows.append(
                {
                    "tenant_id": tenant.pk,
                    "list_id": self.list.pk,
                    "line": line,
                    "number": values["number"],
                    "customer_number": number,
                    "name": values["name"],
                    "company": values["company"],
                    "context": values["context"],
                    "extra": extra,
                    "due_start": start,
                    "due_end": end,
                    "sort_due": end or NO_DUE_END,
                    "priority": values.get("priority_value", 0),
                    "assigned_to_id": values["manager_user"].pk
                    if "manager_user" in values
                    else None,
                    "available_at": max(start, self.now) if start else self.now,
                }
            )
        if report.errors:
            report.rows = []
            return
        blocked = donotcall.blocked_numbers(tenant, set(seen))
        if blocked:
            kept = []
            for entry in report.rows:
                reason = blocked.get(entry["customer_number"])
                if reason is None:
                    kept.append(entry)
                    continue
                report.do_not_call_count += 1
                if len(report.do_not_call) < REPORTED:
                    report.do_not_call.append(
                        _("Line %(n)d: %(number)s is on the do-not-call list (%(reason)s).")
                        % {"n": entry["line"], "number": entry["customer_number"], "reason": reason}
                    )
            report.rows = kept

    def _row_problem(self, values: dict, region: str, tz: ZoneInfo, managers: dict):
        """The message for a bad row; else None, with the row's values read into `values`."""
        number = values["number"]
        if not number:
            return _("the number is empty.")
        e164 = to_e164(number, region)
        if not e164:
            return _("“%(number)s” is not a phone number of %(region)s or with a country code.") % {
                "number": number[:64],
                "region": region,
            }
        values["e164"] = e164
        for col in ("name", "company"):
            if len(values[col]) > NAME_MAX:
                return _("the %(column)s is longer than %(n)d characters.") % {
                    "column": col,
                    "n": NAME_MAX,
                }
        for col, end in (("due_start", False), ("due_end", True)):
            text = values.get(col, "")
            if text:
                try:
                    values[col + "_at"] = _when(text, tz, end)
                except ValueError:
                    return _(
                        "“%(value)s” is not a date (2026-05-04) or a time (2026-05-04 14:30)."
                    ) % {"value": text[:40]}
        start, end = values.get("due_start_at"), values.get("due_end_at")
        if start and end and end < start:
            return _("the due window ends before it starts.")
        text = values.get("priority", "")
        if text:
            try:
                priority = int(text)
            except ValueError:
                priority = None
            if priority is None or not -100 <= priority <= 100:
                return _("the priority is a whole number from -100 to 100.")
            values["priority_value"] = priority
        who = values.get("manager", "").lower()
        if who:
            user = managers.get(who)
            if user is None:
                return _("“%(who)s” is no customer manager of this tenant.") % {"who": who[:150]}
            values["manager_user"] = user
            self.managers_used.add(user)
        return None
