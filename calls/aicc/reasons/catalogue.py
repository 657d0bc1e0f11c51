"""The assembled catalogue: every source's table, and decoding a (source, code) pair."""

from __future__ import annotations

import re
from dataclasses import replace

from django.utils.text import format_lazy  # lazy str.format(); documented with i18n utilities
from django.utils.translation import gettext_lazy as _

from . import (
    console,
    create_call,
    guardrails,
    http,
    outcome,
    q850,
    queries,
    state,
    token,
    transport,
)
from .core import Fixer, Group, Reader, Reason, Row, Words, as_reader

_TABLES: dict[str, list[Row]] = {
    "createCall": create_call.REASONS,
    "http": http.REASONS,
    "transport": transport.REASONS,
    "console": console.REASONS + guardrails.REASONS,
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
    next_step=Words(
        caller=_("Tell your console admin."),
        others=_("A console admin should look into it."),
        admin=_("Look into it with the AICC provider."),
    ),
    fixer=Fixer.PROVIDER,
    retry=False,
    group=Group.PROVIDER,
)

SOURCES: tuple[str, ...] = tuple(_TABLES)

# Sources whose codes are free-form words rather than numbers.
_WORD_SOURCES = frozenset({"transport", "console"})

# Sources where the code is an AICC retCode ("0" = success).
_RETCODE_SOURCES = frozenset(
    {"createCall", "queryCallState", "queryCallDetailRecord", "queryPhone", "getRecordingAddress"}
)

# Every known reason in every reader's words, built once: decode() hands out these objects.
_BY_READER: dict[Reader, dict[str, dict[str, Reason]]] = {
    reader: {
        source: {row.code: row.reason(source, reader) for row in rows}
        for source, rows in _TABLES.items()
    }
    for reader in Reader
}
_CATALOGUE = _BY_READER[Reader.CALLER]

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


def _with_code(text: str | Words, shown: str) -> str | Words:
    if isinstance(text, Words):
        return Words(
            caller=format_lazy(text.caller, code=shown),
            others=format_lazy(text.others, code=shown),
            admin=None if text.admin is None else format_lazy(text.admin, code=shown),
        )
    return format_lazy(text, code=shown)


def _fallback(source: str, code: str, reader: Reader) -> Reason:
    spec = _FALLBACK.get(source, _FALLBACK_UNKNOWN_SOURCE)
    if source in _FALLBACK_5XX and _is_status(code, 500, 599):
        spec = _FALLBACK_5XX[source]
    shown = code if code else _("(none)")
    if source not in _FALLBACK:
        shown = f"{source}:{code}" if code else source
    row = Row(
        code,
        title=_with_code(spec.title, shown),
        explanation=_with_code(spec.explanation, shown),
        next_step=spec.next_step,
        fixer=spec.fixer,
        retry=spec.retry,
        group=spec.group,
        maybe_placed=spec.maybe_placed,
    )
    return replace(row.reason(source, reader), known=False)


def decode(source: str, code: object, reader: Reader | str | None = None) -> Reason:
    """Decode ``code`` reported under ``source``, in ``reader``'s words (core.Reader; without
    one, the words of the customer manager who placed the call).  Never raises.

    An unknown code (or source) gives a generic reason with ``known=False`` whose title and
    explanation include the raw code.
    """
    reader = as_reader(reader)
    src = _canonical_source(source)
    normalised = normalize_code(src, code)
    found = _BY_READER[reader].get(src, {}).get(normalised)
    if found is not None:
        return found
    return _fallback(src, normalised, reader)


def reasons_for(source: str, reader: Reader | str | None = None) -> list[Reason]:
    """All known reasons of ``source`` in code order (empty for an unknown source)."""
    by_source = _BY_READER[as_reader(reader)]
    return list(by_source.get(_canonical_source(source), {}).values())


def all_reasons(reader: Reader | str | None = None) -> list[Reason]:
    """Every known reason, source by source in ``SOURCES`` order."""
    by_source = _BY_READER[as_reader(reader)]
    return [reason for source in SOURCES for reason in by_source[source].values()]


def fallback_reasons(reader: Reader | str | None = None) -> list[Reason]:
    """The reason of an unknown code of every source (and of an unknown source), e.g. for
    checking their words; the code shown is "?"."""
    reader = as_reader(reader)
    fallbacks = [_fallback(source, "?", reader) for source in SOURCES]
    fallbacks += [_fallback(source, "599", reader) for source in _FALLBACK_5XX]
    return [*fallbacks, _fallback("no-such-source", "?", reader)]


def reasons_in(group: Group | str, sources: tuple[str, ...] = SOURCES) -> list[Reason]:
    """The known reasons of ``sources`` that mean ``group``, source by source."""
    return [
        reason
        for source in sources
        for reason in _CATALOGUE.get(_canonical_source(source), {}).values()
        if reason.group == group
    ]


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
