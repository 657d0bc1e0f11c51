"""CSV and XLSX exports of the filtered history, streamed in constant memory (columns:
docs/export.md).

Rows come from one query read in chunks (`iterator(chunk_size=...)`, a server-side cursor on
PostgreSQL) and leave as CSV lines, or XLSX rows (calls/xlsx.py), one by one; nothing collects the
whole result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.timezone import localtime

from calls import export_query, xlsx
from calls.aicc.reasons import Reader, decode
from calls.models import Call, WrapUpState, label_in_language

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
_CSV_SPECIAL = re.compile('[,"\r\n]')


def safe_cell(value) -> str:
    """A CSV cell: text as is, except that a leading formula character is neutralised (CSV
    injection), for every CSV the console writes."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_cell(value: str) -> str:
    """A text cell as csv.writer writes it (quoted when it holds a comma, a quote or a line
    break), after safe_cell."""
    if value[:1] in _FORMULA_CHARS:
        value = "'" + value
    if _CSV_SPECIAL.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def serial_cell(serial: str) -> str:
    """The serial as a CSV cell spreadsheet programs keep as text: ="1037058396471308289". Read as
    a number, its 19 digits would be rounded to 15 (1.03705839647131E+18)."""
    return f'="{serial}"' if serial.isdigit() else safe_cell(serial)


class _Decoded(dict):
    """{key: cells} filled on first use by `make(key)`."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(*key)
        return value


class _Cells:
    """The cells that come from a dictionary rather than the row, written once per export in
    its format (`cell`: a CSV cell, or an XLSX one; `join` between two cells) and language: the
    people's names, the reasons and outcomes decoded for others than the customer manager who
    called ("the customer manager did not answer their phone", "a console admin should ...";
    Reader.OTHERS), the dispositions' labels, the wrap-ups."""

    def __init__(self, cell, join: str = ""):
        self.cell, self.join = cell, join
        self.names: dict = {}  # {user id: their name's and login's cells}
        self.logins: dict = {}  # {user id: their login's cell}
        self.labels: dict = {None: cell("")}
        self.reasons = _Decoded(self._reason)  # {(source, code): four cells}
        self.outcomes = _Decoded(self._outcome)  # {(call type, code): a cell}
        self.no_wrap = {state: self._no_wrap(state) for state in WrapUpState.values}

    def chunk(self, rows: list[tuple], wraps: dict) -> dict:
        """The names and labels of the chunk not yet known (a query each, when some are
        missing), and its wrap-ups' cells."""
        missing = ({r[2] for r in rows} | {w[2] for w in wraps.values()}) - self.names.keys()
        if missing:
            found = export_query.people(missing - {None})
            for pk in missing:
                name, login = found.get(pk, ("", ""))
                self.logins[pk] = self.cell(login)
                self.names[pk] = self.join.join((self.cell(name), self.logins[pk]))
        missing = {r[DISPOSITION] for r in rows} - self.labels.keys()
        if missing:
            for pk, en, zh in export_query.labels(missing):
                self.labels[pk] = self.cell(label_in_language(en, zh))
        cell, join, logins = self.cell, self.join, self.logins
        empty, yes, automatic = cell(""), cell("yes"), cell("automatic")
        return {
            pk: join.join(
                (cell(note), yes if private else empty, automatic if auto else logins[author])
                if note
                else (empty, empty, automatic if auto else logins[author])
            )
            for pk, (note, private, author, auto) in wraps.items()
        }

    def _reason(self, source: str, code: str) -> str:
        if not source:
            return self.join.join([self.cell("")] * 4)
        r = decode(source, code, Reader.OTHERS)
        texts = (f"{r.source}:{r.code}", str(r.title), str(r.who), str(r.next_step))
        return self.join.join(self.cell(t) for t in texts)

    def _outcome(self, call_type: str, code: str) -> str:
        if not code:
            return self.cell("")
        source = "outcome_ita" if call_type == "ITA" else "outcome"
        return self.cell(str(decode(source, code, Reader.OTHERS).title))

    def _no_wrap(self, state: str) -> str:
        """A call without a wrap-up read: none yet, or an automatic one (which has no note)."""
        author = "automatic" if state == WrapUpState.AUTO else ""
        return self.join.join((self.cell(""), self.cell(""), self.cell(author)))


DISPOSITION = export_query.ROW.index("disposition_id")
_RECORDED = ("push", "cdr")  # an outcome from these says whether the call was answered


def csv_lines(qs: QuerySet[Call], tz: ZoneInfo) -> Iterator[str]:
    """The CSV, in pieces of a chunk's lines (a piece per line cost the response as much as
    writing the line). Each line is one f-string: the cells that cannot hold a comma, a quote or
    a formula character (times, codes, numbers, the console's own words) go in as they are, the
    others through csv_cell, the dictionaries' cells written once (_Cells)."""
    yield "\ufeff" + ",".join(COLUMNS) + "\r\n"  # a BOM, so spreadsheet programs read UTF-8
    cells = _Cells(csv_cell, ",")
    cell, names, labels, no_wrap = csv_cell, cells.names, cells.labels, cells.no_wrap
    reasons, outcomes = cells.reasons, cells.outcomes
    for rows, wraps in export_query.chunks(qs, tz.key):
        wrapped = cells.chunk(rows, wraps)
        piece = []
        for row in rows:
            (when, c, user, softphone, caller, called, status, serial, r_source, r_code, ret_msg,
             http, call_type, o_code, no_talk, talk, agent_talk, o_source, state, disposition,
             _note, o_rule, o_reason, pk) = row  # fmt: skip
            piece.append(
                f"{when},{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]},{names[user]},"
                f"{softphone if softphone.isdigit() else cell(softphone)},"
                f"{caller if not caller or caller.isdigit() else cell(caller)},"
                f"{called if called.isdigit() else cell(called)},{status},"
                f"{_csv_serial(serial) if serial.isdigit() else cell(serial) if serial else ''},"
                f"{reasons[r_source, r_code]},{cell(ret_msg) if ret_msg else ''},"
                f"{'' if http is None else http},"
                f"{o_code if not o_code or o_code.isdigit() else cell(o_code)},"
                f"{outcomes[call_type, o_code]},"
                f"{('no' if no_talk else 'yes') if o_source in _RECORDED else ''},"
                f"{'' if talk is None else talk},{'' if agent_talk is None else agent_talk},"
                f"{o_source},{state},{labels[disposition]},"
                f"{wrapped[pk] if pk in wrapped else no_wrap[state]},"
                f"{cell(o_rule) if o_rule else ''},{cell(o_reason) if o_reason else ''}\r\n"
            )
        yield "".join(piece)


def _csv_serial(digits: str) -> str:
    return '"=""' + digits + '"""'  # serial_cell's ="…", quoted as csv.writer would


def export_filename(now, tz: ZoneInfo, ext: str = "csv") -> str:
    return localtime(now, tz).strftime(f"calls-%Y%m%d-%H%M.{ext}")


def xlsx_chunks(qs: QuerySet[Call], tz: ZoneInfo) -> Iterator[bytes]:
    """The CSV's columns as typed cells: times as dates, talk times as durations, the HTTP status
    a number, everything else (serials and phone numbers too) text. Each row is one f-string,
    like the CSV's line (xlsx.workbook_of_rows: its cells in column order, none skipped)."""
    text, plain, duration = xlsx.text_cell, xlsx.plain_text_cell, xlsx.duration_cell
    # A text cell's XML around text with nothing to escape (digits, the console's own codes).
    T, _T, E = '<c t="inlineStr"><is><t>', "</t></is></c>", "<c/>"
    YES, NO = plain("yes"), plain("no")
    cells = _Cells(text)
    names, labels, no_wrap = cells.names, cells.labels, cells.no_wrap
    reasons, outcomes = cells.reasons, cells.outcomes

    def rows():
        for chunk, wraps in export_query.chunks(qs, tz.key, spreadsheet=True):
            wrapped = cells.chunk(chunk, wraps)
            for row in chunk:
                (when, c, user, softphone, caller, called, status, serial, r_source, r_code,
                 ret_msg, http, call_type, o_code, no_talk, talk, agent_talk, o_source, state,
                 disposition, _note, o_rule, o_reason, pk) = row  # fmt: skip
                yield (
                    f'<c s="{xlsx.DATE_TIME}"><v>{when!r}</v></c>'
                    f"{T}{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}{_T}{names[user]}"
                    f"{T + softphone + _T if softphone.isdigit() else text(softphone)}"
                    f"{text(caller) if caller else E}"
                    f"{T + called + _T if called.isdigit() else text(called)}{T}{status}{_T}"
                    f"{T + serial + _T if serial.isdigit() else text(serial) if serial else E}"
                    f"{reasons[r_source, r_code]}{text(ret_msg) if ret_msg else E}"
                    f"{E if http is None else f'<c><v>{http}</v></c>'}"
                    f"{text(o_code) if o_code else E}{outcomes[call_type, o_code]}"
                    f"{(NO if no_talk else YES) if o_source in _RECORDED else E}"
                    f"{duration(talk)}{duration(agent_talk)}"
                    f"{plain(o_source)}{plain(state)}{labels[disposition]}"
                    f"{wrapped[pk] if pk in wrapped else no_wrap[state]}"
                    f"{text(o_rule) if o_rule else E}{text(o_reason) if o_reason else E}"
                )

    return xlsx.workbook_of_rows("Calls", COLUMNS, rows(), widths=WIDTHS)
