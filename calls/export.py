"""CSV and XLSX exports of the filtered history, streamed in constant memory (columns:
docs/export.md).

Rows come from one query read in chunks (`iterator(chunk_size=...)`, a server-side cursor on
PostgreSQL) and leave as CSV lines, or XLSX rows (calls/xlsx.py), one by one; nothing collects the
whole result.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import QuerySet
from django.utils.timezone import localtime

from calls import xlsx
from calls.aicc.reasons import Reader, decode
from calls.models import Call, label_in_language

CHUNK = 2000
COLUMNS = [
    "time",
    "call_id",
    "manager",
    "manager_login",
    "softphone",
    "caller",
    "called",
    "result",
    "serial",
    "reason_code",
    "reason",
    "who_can_fix",
    "next_step",
    "aicc_message",
    "http_status",
    "outcome_code",
    "outcome",
    "answered",
    "talk_seconds",
    "agent_talk_seconds",
    "outcome_source",
    "wrap_up",
    "disposition",
    "note",
    "note_private",
    "wrapped_up_by",
    # the guardrail called past (guardrails.preflight) and the manager's typed reason
    "override",
    "override_reason",
]
SERIAL = COLUMNS.index("serial")
# XLSX column widths (characters), in the order of COLUMNS.
WIDTHS = [
    19,
    36,
    18,
    14,
    10,
    13,
    13,
    9,
    21,
    18,
    30,
    18,
    40,
    24,
    6,
    8,
    24,
    8,
    9,
    9,
    8,
    9,
    20,
    40,
    8,
    14,
    14,
    40,
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset(_FORMULA_START)


class _Line:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    """A CSV cell: text as is, except that a leading formula character is neutralised (CSV
    injection), for every CSV the console writes."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Texts:
    """Decoded reason texts, translated once per export rather than once per row. An export is
    read by others than the customer manager who placed each call: "the customer manager did
    not answer their phone", "a console admin should ..." (Reader.OTHERS)."""

    def __init__(self):
        self.memo: dict = {}

    def reason(self, source: str, code: str) -> tuple[str, str, str, str]:
        key = ("r", source, code)
        if key not in self.memo:
            r = decode(source, code, Reader.OTHERS)
            self.memo[key] = (f"{r.source}:{r.code}", str(r.title), str(r.who), str(r.next_step))
        return self.memo[key]

    def label(self, en: str | None, zh: str | None) -> str:
        """A disposition's label in the export's language."""
        key = ("d", en, zh)
        if key not in self.memo:
            self.memo[key] = label_in_language(en, zh)
        return self.memo[key]

    def outcome(self, call_type: str, code: str) -> str:
        key = ("o", call_type, code)
        if key not in self.memo:
            source = "outcome_ita" if call_type == "ITA" else "outcome"
            self.memo[key] = str(decode(source, code, Reader.OTHERS).title)
        return self.memo[key]


_NO_REASON = ("", "", "", "")
# Only the columns the CSV needs, as plain tuples: no model instances per row.
FIELDS = (
    "created_at",
    "code",
    "user__first_name",
    "user__last_name",
    "user__username",
    "softphone",
    "caller",
    "called",
    "status",
    "serial",
    "reason_source",
    "reason_code",
    "ret_msg",
    "http_status",
    "call_type",
    "outcome_code",
    "outcome_source",
    "talking_at",
    "talk_seconds",
    "agent_talk_seconds",
    # the wrap-up (calls.services.wrapup): state, disposition, note and who
    "wrapup_state",
    "disposition__label_en",
    "disposition__label_zh",
    "wrap_up__note",
    "wrap_up__note_private",
    "wrap_up__author__username",
    "wrap_up__automatic",
    "override_code",
    "override_reason",
)


def _blank(value) -> str:
    return "" if value is None else value


def csv_row(v: tuple, tz: ZoneInfo, texts: _Texts) -> list:
    (created, code, first, last, login, softphone, caller, called, status, serial, r_source,
     r_code, ret_msg, http, call_type, o_code, o_source, talking_at, talk, agent_talk,
     wrapup, d_en, d_zh, note, private, author, automatic, o_rule, o_reason) = v  # fmt: skip
    answered = ""
    if o_source in ("push", "cdr"):
        answered = "yes" if talking_at else "no"
    return [
        created.astimezone(tz).isoformat(timespec="seconds"),
        code,
        f"{first or ''} {last or ''}".strip() or (login or ""),
        login or "",
        softphone,
        caller,
        called,
        status,
        serial,
        *(texts.reason(r_source, r_code) if r_source else _NO_REASON),
        ret_msg,
        _blank(http),
        o_code,
        texts.outcome(call_type, o_code) if o_code else "",
        answered,
        _blank(talk),
        _blank(agent_talk),
        o_source,
        wrapup,
        texts.label(d_en, d_zh),
        note or "",
        # Exports are the supervisors' and admins', who read private notes too: marked as such.
        "yes" if note and private else "",
        "automatic" if automatic else (author or ""),
        o_rule,
        o_reason,
    ]


def serial_cell(serial: str) -> str:
    """The serial as a CSV cell spreadsheet programs keep as text: ="1037058396471308289". Read as
    a number, its 19 digits would be rounded to 15 (1.03705839647131E+18)."""
    return f'="{serial}"' if serial.isdigit() else safe_cell(serial)


def _values(qs: QuerySet[Call]) -> Iterator[tuple]:
    """The rows of FIELDS, newest first, read in chunks through the database's own cursor (a
    server-side one on PostgreSQL, as `iterator()` uses): Django's per-value converters were a
    third of the export's time (docs/performance.md, "Export rows"). Only the two columns the
    rows need converted are: the time (an aware datetime) and the call's code (text)."""
    query = qs.order_by("-created_at", "-id").values_list(*FIELDS).query
    connection = connections[qs.db]
    sql, params = query.get_compiler(connection=connection).as_sql()
    sqlite = connection.vendor == "sqlite"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                created, code = row[0], row[1]
                if sqlite:  # a naive datetime in UTC (the driver's converter), and 32 hex digits
                    created = created.replace(tzinfo=UTC)
                    code = f"{code[:8]}-{code[8:12]}-{code[12:16]}-{code[16:20]}-{code[20:]}"
                yield (created, str(code), *row[2:])


def csv_lines(qs: QuerySet[Call], tz: ZoneInfo) -> Iterator[str]:
    """The CSV, in pieces of up to CHUNK lines (a piece per line cost the response as much as
    writing the line)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)  # a BOM, so spreadsheet programs read UTF-8
    texts = _Texts()
    piece = []
    for values in _values(qs):
        # safe_cell for each text cell, written out: a call per cell was a fifth of the time.
        cells = [
            ("'" + c if c[:1] in _FORMULA_CHARS else c) if c.__class__ is str else c
            for c in csv_row(values, tz, texts)
        ]
        cells[SERIAL] = serial_cell(values[9])
        piece.append(writer.writerow(cells))
        if len(piece) == CHUNK:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def xlsx_row(v: tuple, tz: ZoneInfo, texts: _Texts) -> list:
    """The CSV's columns as typed cells: times as dates, talk times as durations, the HTTP status
    a number, everything else (serials and phone numbers too) text."""
    row = csv_row(v, tz, texts)
    row[0] = v[0].astimezone(tz).replace(tzinfo=None)
    row[14] = v[13]  # http_status
    row[18] = None if v[18] is None else xlsx.Duration(v[18])  # talk_seconds
    row[19] = None if v[19] is None else xlsx.Duration(v[19])  # agent_talk_seconds
    return row


def xlsx_chunks(qs: QuerySet[Call], tz: ZoneInfo) -> Iterator[bytes]:
    texts = _Texts()
    rows = (xlsx_row(values, tz, texts) for values in _values(qs))
    return xlsx.workbook("Calls", COLUMNS, rows, widths=WIDTHS)


def export_filename(now, tz: ZoneInfo, ext: str = "csv") -> str:
    return localtime(now, tz).strftime(f"calls-%Y%m%d-%H%M.{ext}")
