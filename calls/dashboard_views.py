"""The supervisors' dashboard: a period (today, 7, 30, 90 days or a custom range) beside the same
period before it; calls per day by result, top failure reasons, per customer manager.

The numbers come from the daily rollups (calls/dashboard.py, calls/rollups.py): the same few
queries whatever the period, each over a few rows per day, never over the calls.
"""

from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calls.dashboard import Period, PeriodForm, numbers
from calls.dashboard_chart import (
    _count_ticks,
    day_chart,
    day_chart_svg,
    day_rows_html,
    disposition_rows_html,
    manager_chart,
    manager_rows_html,
)
from calls.models import Call
from calls.readers import reader_for
from console.access import READERS, tenant_view

__all__ = ["_count_ticks", "dashboard"]


def _result_labels() -> dict[str, str]:
    return {s.value: str(s.label) for s in Call.Status}


@tenant_view(roles=READERS)
@require_GET
def dashboard(request):
    tz = ZoneInfo(request.tenant.time_zone)
    today = timezone.localdate(timezone=tz)
    form = PeriodForm(request.GET or None, today=today)
    period = Period(*form.period())
    reader = reader_for(request.membership)  # a supervisor or an admin
    n = numbers(request.tenant, period, reader)
    labels = _result_labels()
    total = n["total"]["calls"]
    shares = {
        s: {"n": c, "pct": round(100 * c / total) if total else 0}
        for s, c in n["by_result"].items()
    }
    chart = day_chart(n["days"], labels)
    ctx = {
        **n,
        "form": form,
        "period": period,
        "first": period.first,
        "last": period.last,
        "today": today,
        "day_svg": day_chart_svg(
            chart,
            labelledby="days-title",
            desc_id="days-axes",
            desc=_(
                "Days from %(first)s to %(last)s across, number of calls up (0 to %(top)s); "
                "the table below has every number."
            )
            % {"first": period.first, "last": period.last, "top": chart["ymax"]},
        ),
        "day_rows": day_rows_html(n["days"]),
        "manager_rows": manager_rows_html(n["managers"]),
        "disposition_rows": disposition_rows_html(n["managers"]),
        "manager_chart": manager_chart(n["managers"]),
        "shares": shares,
        "other": shares["unknown"]["n"] + shares["placing"]["n"],
        "other_pct": shares["unknown"]["pct"] + shares["placing"]["pct"],
        "labels": labels,
    }
    return render(request, "calls/dashboard.html", ctx)
