"""Reading an uploaded or pasted CSV for an all-or-nothing import (softphones: console/forms.py;
customers: customers/forms.py): the upload decoded, and its rows line by line, so every problem
can be reported with its line number."""

import csv

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_CELL = 254  # a username or e-mail address at most; numbers are far shorter
MAX_BYTES = 1_000_000


def decode_upload(upload) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without a BOM) first; then GB18030,
    which is what spreadsheet programs set to Chinese save as "CSV" (GBK is a subset of it)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is too large (at most 1 MB)."))
    data = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Save the file as UTF-8 CSV and try again."))


def csv_rows(content: str, max_cell: int = MAX_CELL):
    """The rows of pasted or uploaded CSV, one per line (a line ends with \\n, \\r\\n or a bare
    \\r, as spreadsheet programs write); None for a line that is not a CSV row (an unclosed quote,
    a cell too long)."""
    for line in content.splitlines():
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            yield None
            continue
        yield None if any(len(c) > max_cell for c in cells) else cells
