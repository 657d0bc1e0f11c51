"""The supervisors' dashboard: calls per day, placed vs failed, top failure reasons, per manager.

Four aggregate queries whatever the period (the database counts; Python only lays out the
chart). The chart is inline SVG drawn here, with a date axis and a count axis (no script: the
Content-Security-Policy allows none inline); every number is also printed beside it.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calls.aicc.reasons import decode
from calls.models import Call, WrapUpState, label_in_language
from calls.readers import reader_for
from calls.selectors import day_start
from calls.services.outcomes import FINAL_SOURCES
from console.access import READERS, tenant_view

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
# The chart's box (SVG user units) and the margins its axes' labels use.
CHART_W, CHART_H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 30
PLOT_W, PLOT_H = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
S = Call.Status


def _period(raw: str | None) -> int:
    try:
        days = int(raw or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _count_ticks(top: int) -> list[int]:
    """The count axis: 0, then round steps (1, 2 or 5 times a power of ten) up to the first at or
    above `top`; at most 6 ticks."""
    top = max(top, 1)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top <= 5 * step:
                return [i * step for i in range(-(-top // step) + 1)]
        magnitude *= 10


def _chart(days: list[dict]) -> dict:
    """Stacked bars (placed, failed, other) with a count axis (round numbers and grid lines) and a
    date axis (every day for a week, fewer labels for longer periods), in a CHART_W x CHART_H box."""
    top = max((d["total"] for d in days), default=0)
    ticks = _count_ticks(top)
    ymax = ticks[-1]
    step = PLOT_W / max(len(days), 1)
    width = max(step * 0.8, 1)
    every = 1 if len(days) <= 10 else 5 if len(days) <= 35 else 15
    bars = []
    for i, d in enumerate(days):
        x = round(LEFT + i * step + (step - width) / 2, 1)
        y = TOP + PLOT_H
        parts = []
        for kind, n in (("placed", d["placed"]), ("failed", d["failed"]), ("other", d["other"])):
            h = round(PLOT_H * n / ymax, 1)
            y = round(y - h, 1)
            if n:
                parts.append({"kind": kind, "y": y, "h": h})
        # Date labels from the last day backwards, so today is always labelled.
        label = (len(days) - 1 - i) % every == 0
        bars.append(
            {**d, "x": x, "w": round(width, 1), "parts": parts, "label": label,
             "cx": round(x + width / 2, 1)}
        )  # fmt: skip
    grid = [{"n": n, "y": round(TOP + PLOT_H - PLOT_H * n / ymax, 1)} for n in ticks]
    return {
        "bars": bars,
        "grid": grid,
        "ymax": ymax,
        "w": CHART_W,
        "h": CHART_H,
        "left": LEFT,
        "right": CHART_W - RIGHT,
        "top": TOP,
        "base": TOP + PLOT_H,
        "date_y": TOP + PLOT_H + 18,
    }


def _dispositions_per_manager(qs, managers: list[dict]) -> list[dict]:
    """The dispositions of the period's calls (one query), as columns in the admin's order; each
    manager row gets its counts in that order (`m["dispositions"]`)."""
    rows = (
        qs.exclude(disposition=None)
        .values(
            "user_id",
            "disposition_id",
            "disposition__label_en",
            "disposition__label_zh",
            "disposition__order",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    columns, counts = {}, {}
    for r in rows:
        columns[r["disposition_id"]] = (
            r["disposition__order"],
            label_in_language(r["disposition__label_en"], r["disposition__label_zh"]),
        )
        counts[(r["user_id"], r["disposition_id"])] = r["n"]
    ordered = sorted(columns.items(), key=lambda item: (item[1][0], item[0]))
    for m in managers:
        m["dispositions"] = [counts.get((m["user_id"], pk), 0) for pk, _v in ordered]
    return [{"pk": pk, "label": label} for pk, (_o, label) in ordered]


@tenant_view(roles=READERS)
@require_GET
def dashboard(request):
    tz = ZoneInfo(request.tenant.time_zone)
    period = _period(request.GET.get("days"))
    today = timezone.localdate(timezone=tz)
    first = today - timedelta(days=period - 1)
    # Both ends: with only a lower bound SQLite's planner guesses a quarter of the table and
    # prefers walking the (tenant, user) or (tenant, reason) index over all time for the GROUP BY.
    qs = request.tenant.calls.filter(
        created_at__gte=day_start(first, tz),
        created_at__lt=day_start(today + timedelta(days=1), tz),
    )

    counted = {
        row["day"]: row
        for row in qs.annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(
            total=Count("id"),
            placed=Count("id", filter=Q(status=S.PLACED)),
            failed=Count("id", filter=Q(status=S.FAILED)),
        )
        .order_by("day")
    }
    days = []
    for i in range(period):
        day = first + timedelta(days=i)
        row = counted.get(day, {"total": 0, "placed": 0, "failed": 0})
        other = row["total"] - row["placed"] - row["failed"]
        days.append(
            {"day": day, **{k: row[k] for k in ("total", "placed", "failed")}, "other": other}
        )
    total = sum(d["total"] for d in days)
    placed = sum(d["placed"] for d in days)
    failed = sum(d["failed"] for d in days)

    reader = reader_for(request.membership)  # a supervisor or an admin
    reasons = [
        {"reason": decode(r["reason_source"], r["reason_code"], reader), "n": r["n"]}
        for r in qs.filter(status__in=[S.FAILED, S.UNKNOWN])
        .exclude(reason_source="")
        .values("reason_source", "reason_code")
        .annotate(n=Count("id"))
        .order_by("-n", "reason_source", "reason_code")[:10]
    ]
    managers = list(
        qs.values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(
            calls=Count("id"),
            placed=Count("id", filter=Q(status=S.PLACED)),
            known=Count("id", filter=Q(outcome_source__in=FINAL_SOURCES)),
            answered=Count(
                "id", filter=Q(outcome_source__in=FINAL_SOURCES, talking_at__isnull=False)
            ),
            awaiting=Count("id", filter=Q(wrapup_state=WrapUpState.PENDING)),
        )
        .order_by("-calls", "user__username")
    )
    dispositions = _dispositions_per_manager(qs, managers)
    ctx = {
        "period": period,
        "periods": PERIODS,
        "first": first,
        "today": today,
        "days": days,
        "chart": _chart(days),
        "total": total,
        "placed": placed,
        "failed": failed,
        "other": total - placed - failed,
        "placed_pct": _pct(placed, total),
        "failed_pct": _pct(failed, total),
        "other_pct": _pct(total - placed - failed, total),
        "reasons": reasons,
        "managers": managers,
        "dispositions": dispositions,
    }
    return render(request, "calls/dashboard.html", ctx)
