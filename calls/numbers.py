"""One rule for phone numbers everywhere (forms, deep links, CSV import, the CLI).

A `tel:` URI (RFC 3966; what a browser hands the console when it opens `tel:` links, see
docs/integrations.md) is read as its number: the scheme and any `;parameters` dropped, and
percent-escapes decoded ("tel:+86%20138..." is "+86 138...").

Normalise: drop spaces, dashes, dots, slashes and brackets. A leading "+" is an international
prefix: "+<DEFAULT_COUNTRY_CODE>" (86 unless configured) is dropped, so "+86 138 0000 0000"
becomes "13800000000"; any other "+<cc>" becomes "00<cc>". The vendor documents only "digits,
at most 32" (retCode 5 for a bad format); how AICC treats "+" is not documented, so we never send it.

That is AICC's wire format, and it stays hand-written: no library knows it. What the `phonenumbers`
library does better is done by it: digits typed in other scripts (full-width "１３８", as a Chinese
input method types them) become ASCII digits with its table, where `str.isdigit()` used to let
them through to AICC; and whether two numbers are the same customer (E.164 in the tenant's region,
"+86 138-0000-1234" = "8613800001234" = "13800001234") is `customers.numbers.to_e164`, kept in
Call.customer_number beside what was sent.
"""

import re
from urllib.parse import unquote

import phonenumbers
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
    s = _SEPARATORS.sub("", from_tel_uri(raw).replace("\uff0b", "+"))  # a full-width plus too
    s = phonenumbers.normalize_digits_only(s, keep_non_digits=True)  # any script's digits: 0-9
    if s.startswith("+"):
        cc = getattr(settings, "DEFAULT_COUNTRY_CODE", "86")
        s = s[1 + len(cc) :] if s[1:].startswith(cc) else "00" + s[1:]
    return s


def validate_number(value: str, *, label: str = "") -> str:
    if not value:
        raise ValidationError(_("Enter a phone number."), code="required")
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Use digits only (spaces, dashes, brackets and a leading + are fine)."), code="digits"
        )
    if len(value) > MAX_LEN:
        raise ValidationError(_("A phone number has at most 32 digits."), code="length")
    return value
