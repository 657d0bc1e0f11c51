"""The dashboard's charts as inline SVG geometry (no script: the Content-Security-Policy allows
none inline). The templates draw them; every number is also printed beside them or in a table.
"""

from __future__ import annotations

import html

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from calls.dashboard import RESULTS

# The day chart's box (SVG user units) and the margins its axes' labels and its legend use.
CHART_W, CHART_H = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 58
PLOT_W, PLOT_H = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
# Fill colours of the results (contrast >= 3:1 on white, as WCAG asks of graphics).
COLOURS = {"placed": "#2e7d32", "failed": "#c62828", "unknown": "#6d6d6d", "placing": "#1565c0"}
# The per-manager chart: one row per manager, the name above its bar, numbers beside it.
BAR_ROW, BAR_LEFT, BAR_W, BAR_NUMBERS = 34, 4, 440, 150
MANAGERS_SHOWN = 15


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


def _label_every(n: int) -> int:
    return 1 if n <= 10 else 5 if n <= 35 else 15 if n <= 100 else 30


def day_chart(days: list[dict], labels: dict[str, str]) -> dict:
    """Stacked bars (one per result) with a count axis (round numbers and grid lines), a date
    axis (every day for a week, fewer labels for longer periods) and a legend."""
    top = max((d["total"] for d in days), default=0)
    ticks = _count_ticks(top)
    ymax = ticks[-1]
    step = PLOT_W / max(len(days), 1)
    width = max(step * 0.8, 0.5)
    every = _label_every(len(days))
    bars = []
    for i, d in enumerate(days):
        x = round(LEFT + i * step + (step - width) / 2, 1)
        y = TOP + PLOT_H
        parts = []
        for status in RESULTS:
            n = d[status]
            h = round(PLOT_H * n / ymax, 1)
            y = round(y - h, 1)
            if n:
                parts.append({"y": y, "h": h, "fill": COLOURS[status]})
        # Date labels from the last day backwards, so the last day is always labelled.
        label = (len(days) - 1 - i) % every == 0
        bars.append(
            {**d, "x": x, "w": round(width, 1), "parts": parts, "label": label,
             "cx": round(x + width / 2, 1)}
        )  # fmt: skip
    grid = [{"n": n, "y": round(TOP + PLOT_H - PLOT_H * n / ymax, 1)} for n in ticks]
    legend = [
        {"x": LEFT + 150 * i, "text_x": LEFT + 150 * i + 16, "fill": COLOURS[s], "label": labels[s]}
        for i, s in enumerate(RESULTS)
    ]
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
        "legend": legend,
        "legend_y": CHART_H - 14,
        "legend_text_y": CHART_H - 4,
    }


def manager_chart(managers: list[dict]) -> dict:
    """Horizontal bars of the busiest managers: the calls (light), the answered part (dark), the
    numbers beside each bar."""
    shown = managers[:MANAGERS_SHOWN]
    top = max((m["calls"] for m in shown), default=0) or 1
    rows = []
    for i, m in enumerate(shown):
        y = i * BAR_ROW
        rows.append(
            {
                **m,
                "y_name": y + 12,
                "y_bar": y + 16,
                "y_text": y + 28,
                "w_calls": round(BAR_W * m["calls"] / top, 1),
                "w_answered": round(BAR_W * m["answered"] / top, 1),
            }
        )
    return {
        "rows": rows,
        "w": BAR_LEFT + BAR_W + BAR_NUMBERS,
        "h": max(len(rows), 1) * BAR_ROW + 4,
        "left": BAR_LEFT,
        "numbers_x": BAR_LEFT + BAR_W + 8,
        "more": len(managers) - len(shown),
    }


# The day chart and its table have a row per day (366 at most): written here rather than by
# template loops, ~10x faster for a year (docs/performance.md, "Issue 20: dashboard").


def day_chart_svg(c: dict, *, labelledby: str, desc_id: str, desc: str) -> str:
    """The day chart `c` (day_chart) as an <svg> element; every text escaped."""
    out = [
        f'<svg viewBox="0 0 {c["w"]} {c["h"]}" width="100%" role="img" '
        f'aria-labelledby="{labelledby} {desc_id}" class="chart">'
        f'<desc id="{desc_id}">{escape(desc)}</desc>'
    ]
    for i, g in enumerate(c["grid"]):
        stroke = "#555" if i == 0 else "#dde1e8"
        out.append(
            f'<line x1="{c["left"]}" y1="{g["y"]}" x2="{c["right"]}" y2="{g["y"]}" '
            f'stroke="{stroke}"></line><text x="{c["left"] - 6}" y="{g["y"]}" dy="4" '
            f'text-anchor="end" font-size="12" fill="#5d6677">{g["n"]}</text>'
        )
    out.append(
        f'<line x1="{c["left"]}" y1="{c["top"]}" x2="{c["left"]}" y2="{c["base"]}" '
        'stroke="#555"></line>'
    )
    base, date_y = c["base"], c["date_y"]
    for b in c["bars"]:
        rects = "".join(
            f'<rect x="{b["x"]}" y="{p["y"]}" width="{b["w"]}" height="{p["h"]}" '
            f'fill="{p["fill"]}"></rect>'
            for p in b["parts"]
        )
        numbers = " / ".join(str(b[s]) for s in RESULTS)
        out.append(f"<g>{rects}<title>{b['day'].isoformat()}: {b['total']} ({numbers})</title></g>")
        if b["label"]:
            out.append(
                f'<line x1="{b["cx"]}" y1="{base}" x2="{b["cx"]}" y2="{base + 4}" stroke="#555">'
                f'</line><text x="{b["cx"]}" y="{date_y}" text-anchor="middle" font-size="12" '
                f'fill="#5d6677">{b["day"]:%m-%d}</text>'
            )
    out.append('<g class="legend">')
    for item in c["legend"]:
        out.append(
            f'<rect x="{item["x"]}" y="{c["legend_y"]}" width="12" height="12" '
            f'fill="{item["fill"]}"></rect><text x="{item["text_x"]}" y="{c["legend_text_y"]}" '
            f'font-size="12" fill="#333">{escape(item["label"])}</text>'
        )
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 - numbers, dates and escaped labels only


def day_rows_html(days: list[dict]) -> str:
    """The <tr> rows of the per-day table: the day (weekday, date) and its counts by result."""
    weekday = {}
    out = []
    for d in days:
        day = d["day"]
        name = weekday.get(day.weekday())
        if name is None:
            name = weekday[day.weekday()] = escape(dateformat.format(day, "D"))
        cells = "".join(f"<td>{d[k]}</td>" for k in ("total", *RESULTS))
        out.append(f"<tr><td>{name} {day.isoformat()}</td>{cells}</tr>")
    return mark_safe("".join(out))  # noqa: S308 - numbers, dates and an escaped day name only


def _name_cells(managers: list[dict]) -> list[str]:
    """Each manager's name cell, "(removed user)" translated once per table."""
    removed = f'<td><span class="muted">{escape(_("(removed user)"))}</span></td>'
    return [f"<td>{html.escape(m['name'])}</td>" if m.get("name") else removed for m in managers]


def manager_rows_html(managers: list[dict]) -> str:
    """The <tr> rows of the per-manager table (a floor of 1,000 managers took 0.1 s as a
    template loop: docs/performance.md, "The dashboard from rollups"). The words are translated
    and escaped once; the numbers, durations and changes (digits and signs) need no escaping."""
    not_known = f'<span class="muted">{escape(_("not known yet"))}</span>'
    of_known = f'<span class="muted">{escape(_("of %(known)s known"))}</span>'
    out = []
    for m, name in zip(managers, _name_cells(managers), strict=True):
        if m["known"]:
            answered = f"{m['answered']} " + of_known % {"known": m["known"]}
        else:
            answered = not_known
        rate = "–" if m["answer_rate"] is None else f"{m['answer_rate']}%"
        delta = m["delta"]["text"] if m["delta"] else ""
        out.append(
            f"<tr>{name}<td>{m['calls']}</td><td>{delta}</td>"
            f"<td>{m['placed']}</td><td>{answered}</td><td>{rate}</td>"
            f"<td>{m['talk_avg_text'] or '–'}</td><td>{m['talk_total_text']}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - numbers and escaped names and words only


def disposition_rows_html(managers: list[dict]) -> str:
    """The <tr> rows of the dispositions-per-manager table."""
    out = []
    for m, name in zip(managers, _name_cells(managers), strict=True):
        cells = "".join(f"<td>{n}</td>" for n in m["dispositions"])
        out.append(f"<tr>{name}{cells}<td>{m['awaiting']}</td></tr>")
    return mark_safe("".join(out))  # noqa: S308 - numbers and escaped names only
