"""One rule for phone numbers everywhere (forms, deep links, CSV import, the CLI).

A `tel:` URI (RFC 3966; what a browser hands the console when it opens `tel:` links, see
docs/integrations.md) is read as its number: the scheme and any `;parameters` dropped, and
percent-escapes decoded ("tel:+86%20138..." is "+86 138...").

Normalise: drop spaces, dashes, dots, slashes and brackets. A leading "+" is an international
prefix: "+<DEFAULT_COUNTRY_CODE>" (86 unless configured) is dropped, so "+86 138 0000 0000"
becomes "13800000000"; any other "+<cc>" becomes "00<cc>". The vendor documents only "digits,
at most 32" (retCode 5 for a bad format); how AICC treats "+" is not documented, so we never send it.
"""

import re
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-\.\(\)\[\]/]+")
MAX_LEN = 32


def from_tel_uri(raw: str | None) -> str:
    """The number of a `tel:` URI; any other value unchanged."""
    value = (raw or "").strip()
    if value[:4].lower() != "tel:":
        return value
    return unquote(value[4:]).split(";", 1)[0].strip()


def normalise(raw: str | None) -> str:
    s = _SEPARATORS.sub("", from_tel_uri(raw))
    if s.startswith("+"):
        cc = getattr(settings, "DEFAULT_COUNTRY_CODE", "86")
        s = s[1 + len(cc) :] if s[1:].startswith(cc) else "00" + s[1:]
    return s


def validate_number(value: str, *, label: str = "") -> str:
    if not value:
        raise ValidationError(_("Enter a phone number."), code="required")
    if not value.isdigit():
        raise ValidationError(
            _("Use digits only (spaces, dashes, brackets and a leading + are fine)."), code="digits"
        )
    if len(value) > MAX_LEN:
        raise ValidationError(_("A phone number has at most 32 digits."), code="length")
    return value
