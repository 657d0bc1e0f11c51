"""A customer's number in one form: E.164 ("+8613800001234"), read with `phonenumbers` (Google's
libphonenumber) in the tenant's default region. So "+86 138-0000-1234", "8613800001234",
"0086 13800001234" and "13800001234" (region CN) are the same customer.

This is the customer's identity, kept beside what was dialled (Call.called, which follows AICC's
wire rules: calls/numbers.py). A string that is not a possible number of its region (too short,
too long, letters, an unknown country code) has no E.164: "".

Only standard-library and `phonenumbers` imports: calls, console forms and the API all use it.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

DEFAULT_REGION = "CN"
MAX_INPUT = 64  # longer input is no phone number; never handed to the parser


def regions() -> list[tuple[str, str]]:
    """(region code, "CN (+86)") for every region the library knows, for a settings choice."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        out.append((region, f"{region} (+{phonenumbers.country_code_for_region(region)})"))
    return out


def _strip_tel(raw: str) -> str:
    value = raw.strip()
    if value[:4].lower() == "tel:":  # RFC 3966, as calls.numbers.from_tel_uri reads it
        value = unquote(value[4:]).split(";", 1)[0].strip()
    return value


@lru_cache(maxsize=4096)
def to_e164(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of `raw` read in `region` (its country code assumed when `raw` has none),
    or "" when it is not a possible phone number."""
    value = _strip_tel(raw or "")
    if not value or len(value) > MAX_INPUT:
        return ""
    try:
        number = phonenumbers.parse(value, region or DEFAULT_REGION)
    except NumberParseException:
        return ""
    # IS_POSSIBLE only: a number too short to be dialled from elsewhere (a local-only or service
    # number such as "95588") is not a customer's number.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display(e164: str, region: str = DEFAULT_REGION) -> str:
    """How a stored E.164 number reads on a page: national format in the tenant's own region
    ("138 0000 1234"), international otherwise ("+44 20 7946 0958")."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    same = phonenumbers.region_code_for_number(number) == region
    fmt = PhoneNumberFormat.NATIONAL if same else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)
