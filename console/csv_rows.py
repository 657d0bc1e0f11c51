"""Reading an uploaded or pasted CSV for an all-or-nothing import (softphones: console/forms.py;
customers: customers/forms.py): the upload decoded, and its rows line by line, so every problem
can be reported with its line number. `CsvImportForm` is both imports' form: a file or pasted
rows, every row checked first, nothing imported if any row has a problem (its page:
templates/console/_csv_import.html)."""

import csv

from django import forms
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


class CsvImportForm(forms.Form):
    """A CSV file, or rows pasted, for an all-or-nothing import into `tenant`. A subclass says
    its columns (`columns_help`, `placeholder`) and checks the rows in `_validate_rows(content)`:
    it appends what it will import to `self.rows` and each problem, by line, with
    `self.row_error(lineno, message)`. The form is valid only when no row has a problem."""

    file = forms.FileField(label=_("CSV file"), required=False)
    text = forms.CharField(
        label=_("…or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    columns_help = ""  # the file field's help: which columns, in which order
    placeholder = ""  # an example row in the text field
    max_cell = MAX_CELL

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.rows: list = []
        self.row_errors: list[str] = []
        self.fields["file"].help_text = self.columns_help
        self.fields["text"].widget.attrs["placeholder"] = self.placeholder

    def _content(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            return decode_upload(upload)
        return self.cleaned_data.get("text", "")

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        content = self._content()
        if not content.strip():
            raise ValidationError(_("Choose a CSV file or paste some rows."))
        self._validate_rows(content)
        if self.row_errors:
            raise ValidationError(
                _("Nothing was imported: %(n)d row(s) have problems. Fix them and try again."),
                params={"n": len(self.row_errors)},
            )
        if not self.rows:
            raise ValidationError(_("The file has no rows to import."))
        return self.cleaned_data

    def _validate_rows(self, content: str) -> None:
        raise NotImplementedError

    def row_error(self, lineno: int, message) -> None:
        self.row_errors.append(_("Line %(n)d: %(e)s") % {"n": lineno, "e": message})

    def numbered_rows(self, content: str):
        """(line number, cells stripped) of each row that has a value; a line that is no CSV
        row is a problem of its line."""
        for lineno, cells in enumerate(csv_rows(content, max_cell=self.max_cell), start=1):
            if cells is None:
                self.row_error(lineno, _("it is not a CSV row."))
                continue
            cells = [c.strip() for c in cells]
            if any(cells):
                yield lineno, cells
