"""Reading the call history: the filter form, the filtered queryset and keyset pagination.

One filter serves the history list, its CSV export and (for the period) the dashboard, so
"export what I see" is true by construction. Every filter maps onto an index of Call:

- tenant (+ user for managers) + created_at range -> call_tenant_recent / call_tenant_user_recent
- result -> call_tenant_status_recent; reason code -> call_tenant_reason_recent
- serial -> call_tenant_serial
- number prefix -> on PostgreSQL `LIKE 'p%'` on (tenant_id, called varchar_pattern_ops), which is
  right under any collation; on SQLite a range `p <= called < p'` (p' = p with its last character
  incremented) on call_tenant_called: SQLite compares text bytewise (BINARY), so the range holds
  exactly the strings starting with p, while its LIKE is case-insensitive and cannot use the index
  (which suits a short prefix: see number_q).
- number contains -> `LIKE '%p%'`, served by the pg_trgm GIN index on PostgreSQL (3+ characters).

Pagination is keyset on (created_at, id), newest first: a page is "the next N rows older than the
last row shown", so rows arriving meanwhile never shift a page, and page 10,000 costs what page 1
costs. The cursor is opaque (base64 of the last row's time and id).
"""

from __future__ import annotations

import base64
import binascii
import html
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Fixer, reasons_for
from calls.models import Call
from calls.numbers import normalise
from console.models import Membership, Tenant

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAGE_SIZE = 200
# Where a failed or unknown call's reason can come from (the sources of Call.reason_source).
FAILURE_SOURCES = ("createCall", "http", "transport", "token")
FIXERS = (Fixer.CALLER, Fixer.ADMIN, Fixer.PROVIDER)
_FIXER_FILTER_LABELS = {
    Fixer.CALLER: _("Fixable by the customer manager"),
    Fixer.ADMIN: _("Fixable by the console admin"),
    Fixer.PROVIDER: _("Fixable by the AICC provider"),
}
_SOURCE_LABELS = {
    "createCall": _("AICC answer"),
    "http": _("HTTP status"),
    "transport": _("Connection"),
    "token": _("Sign-in to AICC"),
}


def reason_choices() -> list:
    groups: list = [("", _("Any reason"))]
    groups.append(
        (_("Who can fix it"), [(f"fixer:{f.value}", _FIXER_FILTER_LABELS[f]) for f in FIXERS])
    )
    for source in FAILURE_SOURCES:
        options = [
            (f"{source}:{r.code}", f"{r.code} · {r.title}")
            for r in reasons_for(source)
            if not (source == "createCall" and r.code == "0")
        ]
        groups.append((_SOURCE_LABELS[source], options))
    return groups


_REASON_CHOICES: dict[str | None, list] = {}


def reason_choices_cached() -> list:
    """reason_choices() with every label already translated, built once per process and language
    (~55 options: translating them on every request was a visible part of the page's cost)."""
    lang = get_language()
    if lang not in _REASON_CHOICES:
        _REASON_CHOICES[lang] = [
            (str(group), [(v, str(label)) for v, label in options])
            if isinstance(options, list)
            else (group, str(options))
            for group, options in reason_choices()
        ]
    return _REASON_CHOICES[lang]


# --- widgets rendered in Python -----------------------------------------------------------------
# Django renders each widget, and each <option>, through the template engine; for the filter form
# (a reason select of ~55 options) that was a third of the history page's time. These widgets
# write the same HTML as Django's templates (django/forms/widgets/input.html, select.html,
# select_option.html, attrs.html) directly, escaping like Django's `escape` (html.escape).


def escape(value) -> str:
    return html.escape(str(value))


def _attrs_html(attrs: dict) -> str:
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class _DirectInput:
    def render(self, name, value, attrs=None, renderer=None):
        w = forms.Widget.get_context(self, name, value, attrs)["widget"]
        value_html = "" if w["value"] is None else f' value="{escape(w["value"])}"'
        html = f'<input type="{self.input_type}" name="{escape(name)}"{value_html}'
        return mark_safe(html + _attrs_html(w["attrs"]) + ">")  # noqa: S308 - all escaped


class TextInput(_DirectInput, forms.TextInput):
    pass


class DateInput(_DirectInput, forms.DateInput):
    pass


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        w = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(w["value"])
        selected = False
        out = [f'<select name="{escape(name)}"{_attrs_html(w["attrs"])}>']

        def option(v, label):
            nonlocal selected
            v = "" if v is None else str(v)
            mark = ""
            if not selected and v in chosen:
                mark, selected = " selected", True
            return f'\n  <option value="{escape(v)}"{mark}>{escape(label)}</option>'

        for v, label in self.choices:
            if isinstance(label, (list, tuple)):
                out.append(f'\n  <optgroup label="{escape(v)}">')
                out.extend(option(sv, sl) for sv, sl in label)
                out.append("\n  </optgroup>")
            else:
                out.append(option(v, label))
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every label and value is escaped


class HistoryFilter(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(attrs={"type": "date"})
    )
    manager = forms.TypedChoiceField(
        label=_("Customer manager"), required=False, coerce=int, empty_value=None, widget=Select
    )
    status = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("Any result")), *Call.Status.choices],
        widget=Select,
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False, widget=Select)
    number = forms.CharField(
        label=_("Called number"),
        required=False,
        max_length=40,
        widget=TextInput(attrs={"type": "search", "inputmode": "tel"}),
    )
    match = forms.ChoiceField(
        label=_("Number match"),
        required=False,
        choices=[("prefix", _("starts with")), ("contains", _("contains"))],
        widget=Select,
    )
    serial = forms.CharField(
        label=_("Serial number"),
        required=False,
        max_length=50,
        widget=TextInput(attrs={"type": "search", "inputmode": "numeric"}),
    )

    def __init__(self, data=None, *, managers: list | None = None):
        # Only the filter's own keys: "after"/"before" (the cursors) and "size" are not filters.
        if data is not None:
            data = {k: data.get(k) for k in self.base_fields if data.get(k) not in (None, "")}
        super().__init__(data)
        if managers is None:
            del self.fields["manager"]
        else:
            self.fields["manager"].choices = [("", _("Everyone"))] + [
                (u.id, u.get_full_name() or u.username) for u in managers
            ]
        self.fields["reason"].choices = reason_choices_cached()
        for name, field in self.fields.items():
            if self.is_bound and name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"

    def clean_number(self) -> str:
        return normalise(self.cleaned_data["number"])

    def clean_serial(self) -> str:
        return self.cleaned_data["serial"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
            data.pop("date_to", None)
        return data

    @property
    def filters(self) -> dict:
        """The valid filters (an invalid field is shown with its error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def querystring(self) -> str:
        """The filters as a query string (for the export link and page links)."""
        from django.http import QueryDict

        q = QueryDict(mutable=True)
        if self.is_bound:
            for name in self.fields:
                value = self.data.get(name)
                if value not in (None, ""):
                    q[name] = value
        return q.urlencode()


def _next_string(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# On SQLite a short prefix may match a large share of all calls. Then walking the newest calls
# and keeping the matching ones fills a page sooner than collecting every match through the number
# index and sorting them; when matches are few it is the other way round. SQLite's planner cannot
# tell, so for a short prefix one bounded, index-only count decides: its LIKE (case-folding, exact
# for digits) cannot use the number index and so walks the time index. PostgreSQL plans this itself.
SHORT_PREFIX = 5
DENSE_PROBE = 5000


def number_q(number: str, match: str, tenant: Tenant) -> Q:
    if match == "contains":
        return Q(called__contains=number)
    if connection.vendor == "postgresql":
        return Q(called__startswith=number)
    in_range = Q(called__gte=number, called__lt=_next_string(number))
    if len(number) <= SHORT_PREFIX:
        if tenant.calls.filter(in_range).order_by()[:DENSE_PROBE].count() == DENSE_PROBE:
            return Q(called__startswith=number)
    return in_range


def reason_q(value: str) -> Q | None:
    source, _sep, code = value.partition(":")
    if source == "fixer":
        q = Q(pk__in=[])
        for src in FAILURE_SOURCES:
            codes = [r.code for r in reasons_for(src) if r.fixer.value == code and r.code != "0"]
            if codes:
                q |= Q(reason_source=src, reason_code__in=codes)
        return q
    if source in FAILURE_SOURCES and code:
        return Q(reason_source=source, reason_code=code)
    return None


def day_start(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def calls_for(membership: Membership, filters: dict) -> QuerySet[Call]:
    """The calls this member may see, narrowed by the filters (no ordering or slicing yet)."""
    tenant = membership.tenant
    qs = tenant.calls.all()
    if not membership.can_read_history:
        qs = qs.filter(user_id=membership.user_id)  # managers see their own calls only
    elif filters.get("manager"):
        qs = qs.filter(user_id=filters["manager"])
    tz = ZoneInfo(tenant.time_zone)
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=day_start(filters["date_from"], tz))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=day_start(filters["date_to"] + timedelta(days=1), tz))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("reason"):
        q = reason_q(filters["reason"])
        if q is not None:
            qs = qs.filter(q)
    if filters.get("number"):
        qs = qs.filter(number_q(filters["number"], filters.get("match") or "prefix", tenant))
    if filters.get("serial"):
        qs = qs.filter(serial=filters["serial"])
    return qs


# --- keyset pagination --------------------------------------------------------------------------


def encode_cursor(call: Call) -> str:
    micros = (call.created_at - EPOCH) // timedelta(microseconds=1)
    raw = f"{micros}.{call.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, pk = raw.split(".")
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None


def older_than(qs: QuerySet[Call], cursor: str | None) -> QuerySet[Call]:
    """Rows after the cursor in (created_at DESC, id DESC) order: `(created_at, id) < (t, id)`,
    written as `created_at < t OR (created_at = t AND id < pk)`. The redundant `created_at <= t`
    gives both databases an index range to start from (tenant first, then created_at: every
    history index) instead of a filter over the newer rows."""
    key = decode_cursor(cursor) if cursor else None
    if key is None:
        return qs
    ts, pk = key
    return qs.filter(Q(created_at__lte=ts), Q(created_at__lt=ts) | Q(created_at=ts, id__lt=pk))


def newer_than(qs: QuerySet[Call], cursor: str | None) -> QuerySet[Call]:
    """Rows before the cursor in the list's order (newer ones): `(created_at, id) > (t, id)`,
    with the redundant `created_at >= t` for an index range, like `older_than`."""
    key = decode_cursor(cursor) if cursor else None
    if key is None:
        return qs
    ts, pk = key
    return qs.filter(Q(created_at__gte=ts), Q(created_at__gt=ts) | Q(created_at=ts, id__gt=pk))


# The columns the list shows (the rest, e.g. call data and raw answers, are for the detail page).
LIST_COLUMNS = (
    "id", "code", "tenant_id", "created_at", "user_id", "softphone", "called", "status", "serial",
    "reason_source", "reason_code", "call_type", "state", "outcome_code", "outcome_source",
    "talking_at", "talk_seconds",
    "user__username", "user__first_name", "user__last_name",
)  # fmt: skip


@dataclass
class Page:
    calls: list[Call]
    next_cursor: str | None  # "Older calls": the rows after this page's last one
    size: int
    prev_cursor: str | None = None  # "Newer calls": the rows before this page's first one
    top: bool = True  # nothing newer: this is the first page


def page_size(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or PAGE_SIZE), MAX_PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def history_page(
    qs: QuerySet[Call], *, cursor: str | None, size: int, before: str | None = None
) -> Page:
    """One page, newest first, in one query (size + 1 rows tell whether there is a next page;
    no COUNT: keyset pages need none).

    `cursor` ("after") pages towards older calls; `before` pages back towards newer ones: the
    `size` rows just newer than it, read oldest first from the same index and shown newest
    first. When fewer than a page's worth of newer rows are left, the first page is shown
    instead (a second query, on that page only)."""
    columns = qs.select_related("user").only(*LIST_COLUMNS)
    if before and decode_cursor(before) and not (cursor and decode_cursor(cursor)):
        rows = list(newer_than(columns, before).order_by("created_at", "id")[: size + 1])
        if len(rows) > size:
            rows = rows[:size][::-1]
            return Page(rows, encode_cursor(rows[-1]), size, encode_cursor(rows[0]), top=False)
        cursor = None  # back at the top
    rows = list(older_than(columns, cursor).order_by("-created_at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    top = not (cursor and decode_cursor(cursor))
    return Page(
        rows,
        encode_cursor(rows[-1]) if more and rows else None,
        size,
        encode_cursor(rows[0]) if rows and not top else None,
        top=top,
    )


def visible_call(membership: Membership, code) -> Call:
    """A call of this tenant the member may see: their own, or any for admins/supervisors."""
    qs = membership.tenant.calls.select_related("user")
    if not membership.can_read_history:
        qs = qs.filter(user_id=membership.user_id)
    call = qs.filter(code=code).first()
    if call is None:
        raise Http404
    call.tenant = membership.tenant  # already loaded: no second query for call.tenant
    return call
