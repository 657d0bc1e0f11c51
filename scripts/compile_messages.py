"""Compile the translations (locale/*/LC_MESSAGES/django.po -> django.mo) with Babel, no GNU gettext.

Refuses a catalogue with format errors, as `msgfmt --check-format` does: Babel's own checks
(placeholder kinds and types, unknown names, the number of plural forms) and, like msgfmt, a
translation must keep every placeholder of its source (a python-format message's translation
that drops `%(name)s` is an error; with several plural forms, a form may drop the count).
Fuzzy entries are left out of the .mo.

    python scripts/compile_messages.py [PO MO]   (no arguments: every catalogue under locale/)
"""

import os
import string
import sys
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

LOCALE = Path(__file__).resolve().parents[1] / "locale"


class CatalogueError(Exception):
    """A .po file that cannot be compiled; the message lists each problem as `file:line: what`."""


def percent_placeholders(text):
    """The %-placeholders of a python-format string, `%%` aside: names, or `%s`-style specs."""
    found = []
    for name, _flags, kind in PYTHON_FORMAT.findall(text):
        if kind != "%" or name:
            found.append(f"%({name})" if name else f"%{kind}")
    return found


def brace_placeholders(text):
    """The field names of a python-brace-format string."""
    return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]


PLACEHOLDERS = {"python-format": percent_placeholders, "python-brace-format": brace_placeholders}


def dropped_placeholders(message, num_plurals):
    """Placeholders of the source missing from a translation, as msgfmt reports them."""
    problems = []
    for flag, placeholders in PLACEHOLDERS.items():
        if flag not in message.flags:
            continue
        if message.pluralizable:
            source = set(placeholders(message.id[1]))
            # With one plural form it stands for every count; with several, a form may drop one.
            translations = message.string if num_plurals == 1 else ()
        else:
            source = set(placeholders(message.id))
            translations = (message.string,)
        for translated in translations:
            missing = source - set(placeholders(translated))
            if translated and missing:
                problems.append(f"{', '.join(sorted(missing))} missing in {translated!r}")
    return problems


def check(catalog):
    """Every format problem of the catalogue's translated, non-fuzzy messages."""
    problems = []
    for message in catalog:
        if not message.id or message.fuzzy or not any(message.string or ()):
            continue
        errors = [str(e) for e in message.check(catalog)]
        errors += dropped_placeholders(message, catalog.num_plurals)
        problems += [(message.lineno, error) for error in errors]
    return problems


def compile_catalogue(po, mo):
    """Write `mo` from `po`; raise CatalogueError, writing nothing, when `po` has errors."""
    po, mo = Path(po), Path(mo)
    try:
        with po.open("rb") as file:
            catalog = read_po(file, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogueError(f"{po}: {exc}") from exc
    problems = check(catalog)
    if problems:
        raise CatalogueError("\n".join(f"{po}:{line}: {error}" for line, error in problems))
    partial = mo.with_name(mo.name + ".tmp")
    with partial.open("wb") as file:
        write_mo(file, catalog, use_fuzzy=False)
    os.replace(partial, mo)


def main(args):
    if len(args) not in (0, 2):
        sys.exit(__doc__)
    pairs = [args] if args else [(po, po.with_suffix(".mo")) for po in LOCALE.glob("*/*/*.po")]
    try:
        for po, mo in pairs:
            compile_catalogue(po, mo)
    except CatalogueError as exc:
        sys.exit(f"{exc}\nNot compiled: fix the translation(s) above.")


if __name__ == "__main__":
    main(sys.argv[1:])
