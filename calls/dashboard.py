"""The dashboard's period (a form) and its numbers, read from the daily rollups (calls/rollups.py),
never from the calls: six queries whatever the period, each over at most a few rows per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.forms.widgets import DateInput
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.aicc.reasons import decode
from calls.models import (
    DayRollup,
    Disposition,
    ReasonRollup,
    label_in_language,
)

PERIODS = ("1", "7", "30", "90")
CUSTOM = "custom"
DEFAULT_PERIOD = "30"
MAX_DAYS = 366
# The results in the order they are stacked and listed.
RESULTS = ("placed", "failed", "unknown", "placing")  # Call.Status, a DayRollup column each
MEASURES = ("calls", *RESULTS, "known", "answered", "talked", "talk_seconds")


def _period_choices():
    return [
        ("1", _("Today")),
        ("7", _("Last 7 days")),
        ("30", _("Last 30 days")),
        ("90", _("Last 90 days")),
        (CUSTOM, _("From … to …")),
    ]


class PeriodForm(forms.Form):
    """Today, the last 7, 30 or 90 days (ending today, in the tenant's time zone), or a custom
    range of at most MAX_DAYS days, none of them after today."""

    days = forms.ChoiceField(
        label=_("Period"), required=False, choices=_period_choices, initial=DEFAULT_PERIOD
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, today: date):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("days") != CUSTOM:
            return data
        start, end = data.get("date_from"), data.get("date_to")
        for name, value in (("date_from", start), ("date_to", end)):
            if value is None and name not in self.errors:
                self.add_error(name, _("Give a date for a custom period."))
        if start is None or end is None:
            return data
        if end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        elif end > self.today:
            self.add_error(
                "date_to",
                _("The end date is after today (%(today)s).") % {"today": self.today.isoformat()},
            )
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error(
                "date_to",
                _("A period is at most %(max)d days; this one has %(n)d.")
                % {"max": MAX_DAYS, "n": (end - start).days + 1},
            )
        return data

    def period(self) -> tuple[date, date]:
        """The first and last day to show: the form's, else the last 30 days."""
        valid = self.is_bound and self.is_valid()
        days = (self.cleaned_data.get("days") if valid else None) or DEFAULT_PERIOD
        if days == CUSTOM:
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return self.today - timedelta(days=int(days) - 1), self.today

    @property
    def custom(self) -> bool:
        return self.data.get("days") == CUSTOM


@dataclass
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def before(self) -> Period:
        """The same number of days just before."""
        last = self.first - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last)

    def label(self) -> str:
        return ngettext("%(n)d day", "%(n)d days", self.days) % {"n": self.days}


def _pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _pieces(p: Period) -> list[tuple[str, date, date]]:
    """`p` as its whole calendar months (read from the month rollups) and its ragged ends (from
    the day rollups): ("month" | "day", first, last), inclusive."""
    months_from = p.first if p.first.day == 1 else _next_month(p.first)
    months_to = (p.last + timedelta(days=1)).replace(day=1)  # whole months end before this
    if months_from >= months_to:
        return [("day", p.first, p.last)]
    pieces = [("month", months_from, months_to - timedelta(days=1))]
    if p.first < months_from:
        pieces.append(("day", p.first, months_from - timedelta(days=1)))
    if months_to <= p.last:
        pieces.append(("day", months_to, p.last))
    return pieces


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


_TABLE = {
    ("counts", "month"): ("calls_rollup_month", "month"),
    ("counts", "day"): ("calls_rollup_day", "day"),
    ("dispositions", "month"): ("calls_rollup_disposition_month", "month"),
    ("dispositions", "day"): ("calls_rollup_disposition", "day"),
}


def _union(kind: str, columns: str, tenant_id: int, periods: list[Period]) -> tuple[str, list]:
    """One SELECT of `columns` (and the period's index `p`) per piece of each period."""
    parts, params = [], []
    adapt = connection.ops.adapt_datefield_value
    for i, period in enumerate(periods):
        for grain, first, last in _pieces(period):
            table, column = _TABLE[(kind, grain)]
            parts.append(
                f"SELECT {i} AS p, {columns} FROM {table} WHERE tenant_id = %s "  # noqa: S608
                f"AND {column} >= %s AND {column} <= %s"
            )
            params += [tenant_id, adapt(first), adapt(last)]
    return " UNION ALL ".join(parts), params


def _managers(tenant_id: int, now: Period, before: Period) -> tuple[list[dict], dict]:
    """Per manager in `now`, with the same counts in `before` and their name (one query over
    both periods, the people joined), most calls first."""
    cols = ("calls", *RESULTS, "known", "answered", "talked", "talk_seconds", "awaiting")
    quoted = [f'"{c}"' for c in cols]  # "placing" is a keyword in PostgreSQL
    union, params = _union("counts", "manager_id, " + ", ".join(quoted), tenant_id, [now, before])
    # Whole numbers, never NULL, from both databases (PostgreSQL's SUM of a bigint is a numeric).
    sums = ", ".join(f"CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}" for c in quoted)
    people = get_user_model()._meta.db_table
    with connection.cursor() as cur:
        # The names joined once per manager and period, after the sums.
        cur.execute(
            f"SELECT g.manager_id, g.p, a.username, a.first_name, a.last_name, "  # noqa: S608
            f"{', '.join(f'g.{c}' for c in quoted)} FROM (SELECT manager_id, p, {sums} "
            f"FROM ({union}) u GROUP BY manager_id, p) g LEFT JOIN {people} a "
            "ON a.id = g.manager_id",
            params,
        )
        rows = cur.fetchall()
    per_manager: dict[int, dict] = {}
    total_before = dict.fromkeys(MEASURES, 0)
    before_keys = [f"before_{k}" for k in MEASURES]
    empty = {"awaiting": 0} | dict.fromkeys(MEASURES, 0) | dict.fromkeys(before_keys, 0)
    at, awaiting = [cols.index(k) for k in MEASURES], cols.index("awaiting")
    for manager_id, p, login, first, last, *values in rows:
        measures = [values[i] for i in at]
        m = per_manager.get(manager_id)
        if m is None:
            name = f"{first} {last}".strip() or login if login else ""  # "": a removed user
            m = per_manager[manager_id] = {"manager_id": manager_id, "name": name, **empty}
        if p == 0:
            m.update(zip(MEASURES, measures, strict=True))
            m["awaiting"] = values[awaiting]
        else:
            m.update(zip(before_keys, measures, strict=True))
            for k, n in zip(MEASURES, measures, strict=True):
                total_before[k] += n
    managers = [m for m in per_manager.values() if m["calls"]]
    managers.sort(key=lambda m: (-m["calls"], m["name"]))
    return managers, total_before


def _dispositions(tenant_id: int, now: Period, managers: list[dict]) -> list[dict]:
    """The period's dispositions as columns (the admin's order); each manager gets its counts in
    that order (`m["dispositions"]`)."""
    union, params = _union("dispositions", "manager_id, disposition_id, calls", tenant_id, [now])
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT manager_id, disposition_id, SUM(calls) FROM ({union}) u "  # noqa: S608
            "GROUP BY manager_id, disposition_id",
            params,
        )
        counts = {(m, d): int(n) for m, d, n in cur.fetchall()}
    ids = {d for _m, d in counts}
    columns = list(
        Disposition.objects.filter(tenant_id=tenant_id, id__in=ids or [0])
        .order_by("order", "id")
        .values("id", "key", "label_en", "label_zh")
    )
    for m in managers:
        m["dispositions"] = [counts.get((m["manager_id"], d["id"]), 0) for d in columns]
    return [
        {"pk": d["id"], "label": label_in_language(d["label_en"], d["label_zh"]) or d["key"]}
        for d in columns
    ]


def _totals(rows: list[dict] | dict) -> dict:
    t = rows if isinstance(rows, dict) else {}
    if not isinstance(rows, dict):
        for k in (*MEASURES, "awaiting"):
            t[k] = sum(r.get(k, 0) for r in rows)
    t["answer_rate"] = _pct(t["answered"], t["known"])
    t["talk_avg"] = round(t["talk_seconds"] / t["talked"]) if t["talked"] else None
    return t


def duration(seconds: int | None) -> str:
    """1:02:03 or 2:03 (minutes:seconds); "" for none."""
    if seconds is None:
        return ""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else f"\u2212{-n}" if n < 0 else "0"


def _delta(now, before) -> dict | None:
    """The change from `before` to `now`: "+12 (+8%)", "\u22123", "0"."""
    if now is None or before is None:
        return None
    d = now - before
    pct = round(100 * d / before) if before else None
    text = _signed(d) + (f" ({_signed(pct)}%)" if pct is not None and d else "")
    return {"n": d, "pct": pct, "text": text}


def numbers(tenant, now: Period, reader) -> dict:
    """Everything the dashboard shows for `now`, and the same period before for comparison."""
    before = now.before()
    per_day = {
        r[0]: r[1:]
        for r in DayRollup.objects.filter(
            tenant_id=tenant.id, day__gte=now.first, day__lte=now.last
        )
        .values("day")
        .annotate(*(Sum(k) for k in RESULTS))
        .values_list("day", *(f"{k}__sum" for k in RESULTS))
        .order_by()
    }
    days, none = [], (0,) * len(RESULTS)
    for i in range(now.days):
        day = now.first + timedelta(days=i)
        by = dict(zip(RESULTS, per_day.get(day, none), strict=True))
        days.append({"day": day, "total": sum(by.values()), **by})
    managers, before_totals = _managers(tenant.id, now, before)
    for m in managers:
        m["answer_rate"] = _pct(m["answered"], m["known"])
        m["talk_avg"] = round(m["talk_seconds"] / m["talked"]) if m["talked"] else None
        m["delta"] = _delta(m["calls"], m["before_calls"])
        m["talk_total_text"], m["talk_avg_text"] = (
            duration(m["talk_seconds"]),
            duration(m["talk_avg"]),
        )
    dispositions = _dispositions(tenant.id, now, managers)
    reasons = [
        {"reason": decode(r["reason_source"], r["reason_code"], reader), "n": r["n"]}
        for r in ReasonRollup.objects.filter(
            tenant_id=tenant.id, day__gte=now.first, day__lte=now.last
        )
        .values("reason_source", "reason_code")
        .annotate(n=Sum("calls"))
        .order_by("-n", "reason_source", "reason_code")[:10]
    ]
    total = _totals(managers)
    was = _totals(before_totals)
    by_result = {s: total[s] for s in RESULTS}
    compare = {k: _delta(total[k], was[k]) for k in ("calls", "placed", "answered", "talk_seconds")}
    compare["answer_rate"] = _delta(total["answer_rate"], was["answer_rate"])
    if compare["talk_seconds"]:
        d = compare["talk_seconds"]["n"]
        compare["talk_seconds"]["text"] = ("+" if d > 0 else "\u2212" if d < 0 else "") + duration(
            abs(d)
        )
    for t in (total, was):
        t["talk_total_text"], t["talk_avg_text"] = (
            duration(t["talk_seconds"]),
            duration(t["talk_avg"]),
        )
    return {
        "days": days,
        "managers": managers,
        "dispositions": dispositions,
        "reasons": reasons,
        "total": total,
        "before": was,
        "compare": compare,
        "by_result": by_result,
        "before_period": before,
    }
