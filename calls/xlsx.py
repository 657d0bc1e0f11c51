"""An XLSX workbook written as a stream: each row leaves as soon as it is written.

openpyxl's write-only mode keeps memory flat too, but it writes the sheet to a temporary file and
zips it only when the workbook is saved, so nothing reaches the browser until the last row is
read. Here the sheet's XML goes row by row through `zipfile` into chunks the response sends at
once (a zip written to a stream that cannot seek: each member's sizes follow its data, which
spreadsheet programs read). Strings are inline (`t="inlineStr"`), so no shared-string table has
to be held until the end. Past Excel's MAX_ROWS the rows go on in another sheet; the parts that
list the sheets are written last (a zip is read from its central directory, in any order).

Cell types: `str` is text (a serial number or a phone number stays text, leading zeros and all
19 digits kept), `int`/`float` a number, `datetime` a date and time (naive, already in the wanted
time zone), `Duration` a time span shown as [h]:mm:ss, `None` an empty cell.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from xml.sax.saxutils import escape

_EPOCH = datetime(1899, 12, 30)  # day 0 of spreadsheet dates (the 1900 system)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text with nothing to drop (_NOT_XML), escape (&, <, >) or keep spaces for (leading, trailing).
_PLAIN = re.compile(
    r"(?:[^\s&<>\x00-\x1f\ud800-\udfff\ufffe\uffff](?:[^&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]*[^\s&<>\x00-\x1f\ud800-\udfff\ufffe\uffff])?)?"
)
FLUSH_BYTES = 64 * 1024
BATCH = 100

# Styles (cellXfs): 0 plain, 1 date and time, 2 duration, 3 the header row (bold).
DATE_TIME, DURATION, HEADER = 1, 2, 3
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    _XML + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_RELS = (
    _XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
# A sheet's rows at most, its header's included (Excel's limit): longer exports go on over
# several sheets, each with the header.
MAX_ROWS = 1_048_576


def _content_types(sheets: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
        for n in range(1, sheets + 1)
    )
    return (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'{parts}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    )


def _workbook(name: str, sheets: int) -> str:
    """The workbook's sheet list: `name`, then "name (2)", "name (3)", ... (at most 31
    characters each)."""
    names = [name[:31]] + [f"{name[:24].rstrip()} ({n})" for n in range(2, sheets + 1)]
    listed = "".join(
        f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(names, start=1)
    )
    return (
        _XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{listed}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    listed = "".join(
        f'<Relationship Id="rId{n}" Type="{kind}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        _XML
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{listed}<Relationship Id="rId{sheets + 1}" Type="{kind}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


class Duration(float):
    """A time span in seconds, written as a spreadsheet time ([h]:mm:ss)."""


def _text(value: str) -> str:
    if _PLAIN.fullmatch(value):  # most cells: nothing to drop, escape or keep spaces for
        return f"<is><t>{value}</t></is>"
    value = _NOT_XML.sub("", value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    # A carriage return as a character reference: XML readers turn a bare one into a line feed.
    return f"<is><t{space}>{escape(value, {chr(13): '&#13;'})}</t></is>"


def _cell(value, style: int = 0) -> str:
    """A cell without its reference (the column after the previous cell's); <c/> when empty."""
    s = f' s="{style}"' if style else ""
    if value.__class__ is str:  # most cells (checked first: a fifth of the time went to the order)
        return f'<c{s} t="inlineStr">{_text(value)}</c>' if value else "<c/>"
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Duration):
        return f'<c s="{DURATION}"><v>{float(value) / 86400!r}</v></c>'
    if isinstance(value, int | float):
        return f"<c{s}><v>{value!r}</v></c>"
    if isinstance(value, datetime):
        days = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c s="{DATE_TIME}"><v>{days!r}</v></c>'
    return f'<c{s} t="inlineStr">{_text(str(value))}</c>' if str(value) else "<c/>"


class _Sink:
    """Where zipfile writes: collects the bytes until they are taken (it cannot seek)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def text_cell(value: str) -> str:
    """A text cell without its reference: the next column's (workbook_of_rows)."""
    return f'<c t="inlineStr">{_text(value)}</c>' if value else "<c/>"


def plain_text_cell(value: str) -> str:
    """text_cell for text known to hold nothing to escape (the console's own codes)."""
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>' if value else "<c/>"


def duration_cell(seconds: int | None) -> str:
    """A Duration cell of these seconds (None: an empty cell)."""
    return "<c/>" if seconds is None else f'<c s="{DURATION}"><v>{seconds / 86400!r}</v></c>'


def workbook(
    sheet: str, header: list[str], rows: Iterable[list], widths: list[int] | None = None
) -> Iterator[bytes]:
    """The XLSX file's bytes in chunks: a sheet named `sheet` (and more past MAX_ROWS), a bold
    frozen `header` row, then `rows`; `widths` in characters per column."""
    cells = ("".join(_cell(value) for value in row) for row in rows)
    return workbook_of_rows(sheet, header, cells, widths)


def workbook_of_rows(
    sheet: str, header: list[str], rows: Iterable[str], widths: list[int] | None = None
) -> Iterator[bytes]:
    """workbook() for rows given as their cells' XML (text_cell, ...): every column's cell in
    order, an empty one as <c/>, without references (optional in the format: a cell without one
    is in the column after the previous cell's)."""
    sink = _Sink()
    rows = iter(rows)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/styles.xml", _STYLES)
        sheets = 0
        # A sheet for each MAX_ROWS - 1 rows (the first one even without rows), then the parts
        # that list them: their number is known only at the end.
        while (first := next(rows, None)) is not None or not sheets:
            sheets += 1
            body = itertools.chain(
                () if first is None else (first,), itertools.islice(rows, MAX_ROWS - 2)
            )
            yield from _sheet(zf, sink, sheets, header, body, widths)
        zf.writestr("xl/workbook.xml", _workbook(sheet, sheets))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheets))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("[Content_Types].xml", _content_types(sheets))
    yield sink.take()


def _sheet(zf, sink: _Sink, number: int, header: list[str], rows, widths) -> Iterator[bytes]:
    """Sheet `number`: the header, then the rows, compressed as they come; yields the zip's bytes
    each time FLUSH_BYTES of them are ready."""
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths or [])
    )
    head = "".join(_cell(title, HEADER) for title in header)
    # force_zip64: a sheet past 2 GiB would otherwise fail only when closed, the file sent.
    with zf.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as out:
        out.write(
            (
                _XML
                + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + f'<sheetData><row r="1">{head}</row>'
            ).encode()
        )
        # Rows are compressed BATCH at a time: a write per row cost as much as the row.
        batch = []
        for n, cells in enumerate(rows, start=2):
            batch.append(f'<row r="{n}">{cells}</row>')
            if len(batch) == BATCH:
                out.write("".join(batch).encode())
                batch.clear()
                if sink.size >= FLUSH_BYTES:
                    yield sink.take()
        out.write(("".join(batch) + "</sheetData></worksheet>").encode())
