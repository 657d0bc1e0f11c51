"""The assembled catalogue: every source's table, and decoding a (source, code) pair."""

from __future__ import annotations

import re

from django.utils.text import format_lazy  # lazy str.format(); documented with i18n utilities
from django.utils.translation import gettext_lazy as _

from . import console, create_call, http, outcome, q850, queries, state, token, transport
from .core import Fixer, Reason, Row

_TABLES: dict[str, list[Row]] = {
    "createCall": create_call.REASONS,
    "http": http.REASONS,
    "transport": transport.REASONS,
    "console": console.REASONS,
    "token": token.REASONS,
    "queryCallState": queries.QUERY_CALL_STATE,
    "queryCallDetailRecord": queries.QUERY_CALL_DETAIL_RECORD,
    "queryPhone": queries.QUERY_PHONE,
    "getRecordingAddress": queries.GET_RECORDING_ADDRESS,
    "outcome": outcome.REASONS,
    "outcome_ita": q850.REASONS,
    "state": state.REASONS,
}

# The reason for a code a source's table does not know.
_FALLBACK: dict[str, Row] = {
    "createCall": create_call.FALLBACK,
    "http": http.FALLBACK,
    "transport": transport.FALLBACK,
    "console": console.FALLBACK,
    "token": token.FALLBACK,
    "queryCallState": queries.QUERY_CALL_STATE_FALLBACK,
    "queryCallDetailRecord": queries.QUERY_CALL_DETAIL_RECORD_FALLBACK,
    "queryPhone": queries.QUERY_PHONE_FALLBACK,
    "getRecordingAddress": queries.GET_RECORDING_ADDRESS_FALLBACK,
    "outcome": outcome.FALLBACK,
    "outcome_ita": q850.FALLBACK,
    "state": state.FALLBACK,
}

# HTTP-like sources: an unknown 5xx is a server-side problem that may go away.
_FALLBACK_5XX: dict[str, Row] = {"http": http.FALLBACK_5XX, "token": token.FALLBACK_5XX}

_FALLBACK_UNKNOWN_SOURCE = Row(
    title=_("Unrecognised result {code}"),
    explanation=_("The console received a result it does not recognise ({code})."),
    next_step=_("Tell your console admin."),
    fixer=Fixer.PROVIDER,
    retry=False,
)

SOURCES: tuple[str, ...] = tuple(_TABLES)

# Sources whose codes are free-form words rather than numbers.
_WORD_SOURCES = frozenset({"transport", "console"})

# Sources where the code is an AICC retCode ("0" = success).
_RETCODE_SOURCES = frozenset(
    {"createCall", "queryCallState", "queryCallDetailRecord", "queryPhone", "getRecordingAddress"}
)

_CATALOGUE: dict[str, dict[str, Reason]] = {
    source: {row.code: row.reason(source) for row in rows} for source, rows in _TABLES.items()
}

_SOURCE_BY_LOWER = {source.lower(): source for source in SOURCES}

_NUMERIC = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_MAX_CODE_LEN = 64


def _canonical_source(source: object) -> str:
    try:
        text = str(source).strip()
    except Exception:  # pragma: no cover - str() of a hostile object
        return "?"
    return _SOURCE_BY_LOWER.get(text.lower(), text)


def normalize_code(source: object, code: object) -> str:
    """The catalogue form of ``code``: a stripped string, numbers without leading zeros.

    ``5``, ``"5"``, ``" 05 "`` and ``5.0`` all become ``"5"``; ``None`` becomes ``""``;
    transport codes are lower-cased.  Never raises.
    """
    try:
        if code is None:
            return ""
        if isinstance(code, bytes | bytearray):
            code = bytes(code).decode("utf-8", "replace")
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if isinstance(code, int) and not isinstance(code, bool):
            text = str(code)
        else:
            text = str(code).strip()
            if _canonical_source(source) in _WORD_SOURCES:
                text = text.lower()
            elif _NUMERIC.fullmatch(text):
                text = str(int(text.split(".")[0]))
    except Exception:  # e.g. a number too long for int()/str(), or a hostile __str__
        return "?"
    if len(text) > _MAX_CODE_LEN:
        text = text[: _MAX_CODE_LEN - 1] + "…"
    return text


def _is_status(code: str, low: int, high: int) -> bool:
    return code.isascii() and code.isdigit() and low <= int(code) <= high


def _fallback(source: str, code: str) -> Reason:
    spec = _FALLBACK.get(source, _FALLBACK_UNKNOWN_SOURCE)
    if source in _FALLBACK_5XX and _is_status(code, 500, 599):
        spec = _FALLBACK_5XX[source]
    shown = code if code else _("(none)")
    if source not in _FALLBACK:
        shown = f"{source}:{code}" if code else source
    return Reason(
        source=source,
        code=code,
        title=format_lazy(spec.title, code=shown),
        explanation=format_lazy(spec.explanation, code=shown),
        next_step=spec.next_step,
        fixer=spec.fixer,
        retry=spec.retry,
        known=False,
    )


def decode(source: str, code: object) -> Reason:
    """Decode ``code`` reported under ``source``.  Never raises.

    An unknown code (or source) gives a generic reason with ``known=False`` whose title and
    explanation include the raw code.
    """
    src = _canonical_source(source)
    normalised = normalize_code(src, code)
    found = _CATALOGUE.get(src, {}).get(normalised)
    if found is not None:
        return found
    return _fallback(src, normalised)


def reasons_for(source: str) -> list[Reason]:
    """All known reasons of ``source`` in code order (empty for an unknown source)."""
    return list(_CATALOGUE.get(_canonical_source(source), {}).values())


def all_reasons() -> list[Reason]:
    """Every known reason, source by source in ``SOURCES`` order."""
    return [reason for source in SOURCES for reason in _CATALOGUE[source].values()]


# Normal call ends: a party hung up (AICC) or Q.850 normal clearing (ITA).
_NORMAL_END = {"outcome": frozenset({"0", "1"}), "outcome_ita": frozenset({"16", "31"})}


def is_success(source: str, code: object) -> bool:
    """Did the request succeed / did the call end normally?

    - retCode sources (createCall, queryCallState, queryCallDetailRecord, queryPhone,
      getRecordingAddress): code 0.  (queryCallDetailRecord 1 "no data" is not an error, but
      it is not a success either; check ``decode(...).fixer == Fixer.NOBODY`` for that.)
    - http, token: a 2xx status.
    - outcome: 0 or 1 (someone hung up); outcome_ita: Q.850 16 or 31 (normal clearing).
    - transport, state and unknown sources: never.
    """
    src = _canonical_source(source)
    normalised = normalize_code(src, code)
    if src in _RETCODE_SOURCES:
        return normalised == "0"
    if src in ("http", "token"):
        return _is_status(normalised, 200, 299)
    if src in _NORMAL_END:
        return normalised in _NORMAL_END[src]
    return False
