"""Unit tests of calls/aicc/parsing.py: the vendor's values as they come."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402

from calls.aicc.parsing import (  # noqa: E402
    epoch_ms,
    parse_int,
    parse_ret_code,
    parse_serial,
    parse_str,
    parse_time,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1621577022000", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (1621577022000, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (" 1621577022000 ", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        ("1621577022123", datetime(2021, 5, 21, 6, 3, 42, 123000, tzinfo=UTC)),
        (1621577022000.0, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        ("1621577022", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),  # 10 digits: seconds
        (1621577022, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        ("0", None),
        (0, None),
        (-5, None),
        ("null", None),
        ("abc", None),
        (True, None),
        ([], None),
        ("9" * 40, None),  # overflow
    ],
)
def test_time_parsing(value, expected):
    got = parse_time(value)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value, expected",
    [(26, 26), ("26", 26), (" 27 ", 27), ("26.0", 26), (26.0, 26), ("", None), (None, None)]
    + [("x", None), (True, None), (float("nan"), None), ({}, None)],
)
def test_int_parsing(value, expected):
    assert parse_int(value) == expected


def test_serial_parsing():
    big = 1037058396471308289  # > 2**53: a float would corrupt it
    assert parse_serial(big) == "1037058396471308289"
    assert parse_serial("1037058396471308289") == "1037058396471308289"
    assert parse_serial(" 42 ") == "42"
    assert parse_serial("AB-12") == "AB-12"  # non-digit strings are kept as sent
    assert parse_serial(12.0) == "12"
    assert parse_serial(1.037058396471308289e18) is None  # inexact float rejected
    assert parse_serial("") is None
    assert parse_serial(None) is None
    assert parse_serial(True) is None
    assert parse_serial("1" * 51) is None


def test_ret_code_normalisation():
    assert parse_ret_code(0) == "0"
    assert parse_ret_code("0") == "0"
    assert parse_ret_code(5.0) == "5"
    assert parse_ret_code(" 21 ") == "21"
    assert parse_ret_code(90100100) == "90100100"


def test_str_parsing():
    assert parse_str(13800138000) == "13800138000"
    assert parse_str(13800138000.0) == "13800138000"
    assert parse_str("  a ") == "  a "
    assert parse_str(None) == parse_str(True) == parse_str({}) == parse_str([]) == ""


def test_epoch_ms():
    assert epoch_ms(datetime(2021, 5, 21, 6, 3, 42, 123000, tzinfo=UTC)) == "1621577022123"
    with pytest.raises(ValueError):
        epoch_ms(datetime(2021, 5, 21))  # naive
