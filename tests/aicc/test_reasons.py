"""Tests for calls.aicc.reasons, the catalogue of decoded AICC reasons.

No database.  Runs with pytest-django (project settings) or standalone with
``pytest -p no:django``, in which case minimal settings are configured here.
"""

from __future__ import annotations

import ast
import importlib
import os
import random
import re
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
CREATE_CALL_TXT = REPO / "docs" / "vendor" / "createCall-v3.txt"
AICC_API_MD = REPO / "docs" / "vendor" / "aicc-api.md"

# pytest-django puts the project root on sys.path; with ``-p no:django`` we do it ourselves.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _ensure_django() -> None:
    """Make lazy translations renderable, with or without pytest-django."""
    if not settings.configured:
        try:
            importlib.import_module("console.settings")
        except Exception:  # settings not written yet / need env vars: use minimal settings
            settings.configure(USE_I18N=True, LANGUAGE_CODE="en-us", INSTALLED_APPS=[])
        else:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    from django.apps import apps

    if not apps.ready:
        django.setup()


_ensure_django()

from django.utils import translation  # noqa: E402
from django.utils.functional import Promise  # noqa: E402

from calls.aicc import reasons  # noqa: E402
from calls.aicc.reasons import (  # noqa: E402
    SOURCES,
    Fixer,
    Reason,
    all_reasons,
    decode,
    is_success,
    normalize_code,
    reasons_for,
)

# --------------------------------------------------------------------------------------------
# Vendor document parsers
# --------------------------------------------------------------------------------------------


def _parse_create_call_txt() -> dict[str, dict[str, str]]:
    """Codes in createCall-v3.txt: {"createCall": {code: vendor text}, "http": {...}}.

    The file is plain text with one table cell per line.
    """
    lines = [line.strip() for line in CREATE_CALL_TXT.read_text(encoding="utf-8").splitlines()]
    start3 = next(i for i, line in enumerate(lines) if line.startswith("Table 3"))
    start4 = next(i for i, line in enumerate(lines) if line.startswith("Table 4"))
    create_call: dict[str, str] = {}
    for line in lines[start3:start4]:
        if m := re.search(r"The value (\d+) indicates success", line):
            create_call[m.group(1)] = "success"
        if m := re.match(r"^(\d+): (.+)$", line):
            create_call[m.group(1)] = m.group(2)
    # Table 4: "90100100", "", "Invalid Input Parameter", "", "The request message ...", ...
    for i in range(start4, len(lines)):
        if re.fullmatch(r"901\d{5}", lines[i]):
            ret_msg = next(line for line in lines[i + 1 :] if line)
            create_call[lines[i]] = ret_msg
    http = {
        m.group(1): m.group(2)
        for i, line in enumerate(lines)
        if (m := re.match(r"^• Status code: (\d+)(.*)$", line))
    }
    return {"createCall": create_call, "http": http}


def _md_sections(text: str) -> dict[str, str]:
    """Top-level "## N. Title" sections of aicc-api.md by number."""
    parts = re.split(r"^## (\d+)\. .*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _md_subsections(body: str) -> list[tuple[str, str]]:
    """("### heading", body) pairs; text before the first heading has heading ""."""
    parts = re.split(r"^### (.*)$", body, flags=re.MULTILINE)
    out = [("", parts[0])]
    out += [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return out


def _table_codes(block: str) -> set[str]:
    """Numeric first cells of every markdown table row in ``block``."""
    codes = set()
    for line in block.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        first = line.strip().strip("|").split("|")[0].strip().strip("`* ")
        if re.fullmatch(r"\d+", first):
            codes.add(first)
    return codes


def _parse_aicc_api_md() -> dict[str, set[str]]:
    """Codes per catalogue source from the tables/lists of sections 2, 4, 5, 6 and 7."""
    sections = _md_sections(AICC_API_MD.read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}

    def add(source: str, codes: set[str]) -> None:
        found.setdefault(source, set()).update(codes)

    # §2 createCall V3: two retCode tables and the generic HTTP status table.
    for heading, body in _md_subsections(sections["2"]):
        if heading.startswith("retCode"):
            add("createCall", _table_codes(body))
        elif heading.startswith("HTTP status"):
            add("http", _table_codes(body))

    # §4 queryCallDetailRecord: 4.1 reasonCode, 4.2 ITA (Q.850, in prose), 4.3 retCode.
    for heading, body in _md_subsections(sections["4"]):
        if heading.startswith("4.1"):
            add("outcome", _table_codes(body))
        elif heading.startswith("4.2"):
            # "0 = not applicable, 1 = number cannot be found, ..." and
            # "(0 n/a, 1 unallocated number, 2 no route to network, ...)"
            codes = set(re.findall(r"\b(\d+) = ", body))
            codes |= set(re.findall(r"(?:\(|, )(\d+) (?=[a-z])", body))
            add("outcome_ita", codes)
        elif heading.startswith("4.3"):
            add("queryCallDetailRecord", _table_codes(body))

    # §5 queryCallState: "retCode [doc]: `0` success, `1` status query failed, `3` ..."
    for paragraph in re.split(r"\n\s*\n", sections["5"]):
        if paragraph.startswith("retCode"):
            add("queryCallState", set(re.findall(r"`(\d+)`", paragraph)))

    # §6 getRecordingAddress: one retCode table.
    add("getRecordingAddress", _table_codes(sections["6"]))

    # §7 queryPhone: "retCode (both) [doc]: 0 success; 1 query failed; 2 ..." (a paragraph
    # that wraps over several lines).
    for paragraph in re.split(r"\n\s*\n", sections["7"]):
        if paragraph.startswith("retCode"):
            add("queryPhone", set(re.findall(r"(?:: |; )(\d+) ", paragraph)))
    return found


# --------------------------------------------------------------------------------------------
# The catalogue covers the vendor documents
# --------------------------------------------------------------------------------------------


def test_create_call_txt_codes_are_known():
    parsed = _parse_create_call_txt()
    create_call = parsed["createCall"]
    # Table 3: 0 + 8 AICC codes; Table 4: 21 ITA codes.
    assert len(create_call) >= 30, sorted(create_call)
    assert sum(code.startswith("901") for code in create_call) == 21
    for code in create_call:
        assert decode("createCall", code).known, code
    assert len(parsed["http"]) >= 5, parsed["http"]
    for status in parsed["http"]:
        assert decode("http", status).known, status


def test_create_call_ita_vendor_msg_is_documented_ret_msg():
    create_call = _parse_create_call_txt()["createCall"]
    ita = {code: msg for code, msg in create_call.items() if code.startswith("901")}
    assert len(ita) == 21
    for code, ret_msg in ita.items():
        assert decode("createCall", code).vendor_msg == ret_msg, code


def test_create_call_table3_vendor_msg_is_documented_text():
    create_call = _parse_create_call_txt()["createCall"]
    for code, text in create_call.items():
        if code == "0" or code.startswith("901"):
            continue
        assert decode("createCall", code).vendor_msg == text, code


def test_aicc_api_md_codes_are_known_under_right_source():
    found = _parse_aicc_api_md()
    minimum = {
        "createCall": 30,
        "http": 5,
        "outcome": 7,
        "outcome_ita": 10,
        "queryCallDetailRecord": 5,
        "queryCallState": 3,
        "getRecordingAddress": 12,
        "queryPhone": 6,
    }
    for source, at_least in minimum.items():
        codes = found.get(source, set())
        assert len(codes) >= at_least, (source, sorted(codes, key=int))
        for code in codes:
            reason = decode(source, code)
            assert reason.known, f"{source}:{code} is documented but not in the catalogue"
            assert reason.source == source


REQUIRED = {
    "createCall": "0 1 2 3 5 6 8 16 21 90100100 90100200 90100300 90100400 90100600 90102001 "
    "90102002 90104001 90104003 90104004 90104008 90104029 90106001 90106002 90106003 "
    "90106004 90106005 90106006 90106010 90106011 90106012",
    "http": "400 401 403 404 500 502 503 504",
    "transport": "timeout refused reset dns tls bad_json no_retcode token config",
    "console": "input agent_number",
    "token": "400 401 403 404 500",
    "queryCallState": "0 1 3",
    "queryCallDetailRecord": "0 1 2 4 12",
    "queryPhone": "0 1 2 3 4 5",
    "getRecordingAddress": "0 1 3 5 6 7 8 9 10 11 12 13",
    "outcome": "0 1 2 3 4 5 6",
    "outcome_ita": "0 1 2 3 4 5 6 7 8 9 16 17 18 19 20 21 22 26 27 28 29 31 34 38 41 42 44 47 50 "
    "55 57 58 63 65 69 79 87 88 95 96 97 99 100 102 111 127",
    "state": "0 1 2 3",
}


@pytest.mark.parametrize("source", sorted(REQUIRED))
def test_required_codes_present(source):
    assert source in SOURCES
    for code in REQUIRED[source].split():
        reason = decode(source, code)
        assert reason.known, f"{source}:{code}"
        assert reason.code == code
        assert reason.key == f"{source}:{code}"


def test_sources_match_brief():
    assert set(SOURCES) == set(REQUIRED)


# --------------------------------------------------------------------------------------------
# Content of the catalogue
# --------------------------------------------------------------------------------------------


def test_every_reason_renders_and_is_well_formed():
    seen = set()
    for reason in all_reasons():
        assert isinstance(reason, Reason)
        assert reason.source in SOURCES
        assert reason.known
        assert isinstance(reason.code, str) and reason.code == reason.code.strip()
        assert reason.key not in seen
        seen.add(reason.key)
        for text in (reason.title, reason.explanation, reason.next_step):
            assert isinstance(text, Promise), f"{reason.key}: not wrapped in gettext_lazy"
            rendered = str(text)
            assert rendered.strip(), reason.key
            assert rendered == rendered.strip(), reason.key
        assert str(reason.explanation).endswith("."), reason.key
        assert str(reason.next_step).endswith("."), reason.key
        assert isinstance(reason.fixer, Fixer)
        assert str(reason.fixer.label()).strip()
        assert isinstance(reason.retry, bool)
        assert type(reason.vendor_msg) is str  # vendor text is never translated
    assert len(seen) == sum(len(reasons_for(source)) for source in SOURCES)


def test_reasons_for_is_in_code_order():
    for source in SOURCES:
        codes = [reason.code for reason in reasons_for(source)]
        assert codes, source
        if source not in ("transport", "console"):  # words, not numbers
            assert codes == sorted(codes, key=int), source
    assert reasons_for("no-such-source") == []
    assert [r.code for r in reasons_for("transport")][:2] == ["timeout", "refused"]


def test_fixer_labels():
    assert {str(f.label()) for f in Fixer} == {
        "You",
        "Your console admin",
        "The AICC provider",
        "No one",
    }
    assert Fixer("admin") is Fixer.ADMIN
    assert Fixer.CALLER == "caller"


def test_fixers_and_retry_of_key_codes():
    def d(source, code):
        return decode(source, code)

    assert d("createCall", 0).fixer is Fixer.NOBODY
    assert d("createCall", 5).fixer is Fixer.CALLER
    assert "display number" in str(d("createCall", 5).explanation)
    assert d("createCall", 6).fixer is Fixer.PROVIDER
    assert d("createCall", 8).fixer is Fixer.ADMIN
    assert d("createCall", 16).fixer is Fixer.ADMIN
    assert d("createCall", 21).retry is True
    assert "tomorrow" in str(d("createCall", 21).next_step)
    assert "10" in str(d("createCall", 21).explanation)
    assert d("createCall", 1).retry is True
    assert d("createCall", 90100100).vendor_msg == "Invalid Input Parameter"
    assert d("http", 401).fixer is Fixer.ADMIN
    assert "provider" in str(d("http", 401).next_step)
    assert d("http", 503).retry is True
    for status in (502, 504):  # AICC may have the request: check first, never simply retry
        assert d("http", status).retry is False and d("http", status).maybe_placed
    assert d("transport", "timeout").retry is False
    assert "may have been placed" in str(d("transport", "timeout").explanation)
    assert d("transport", "config").fixer is Fixer.ADMIN
    assert d("token", 403).fixer is Fixer.ADMIN
    assert d("queryCallDetailRecord", 1).fixer is Fixer.NOBODY
    for code in range(4):
        assert d("state", code).fixer is Fixer.NOBODY
    assert str(d("state", 0).title) == "Waiting to be called"
    assert str(d("state", 3).title) == "Ended"
    outcome_titles = {
        0: "The customer hung up",
        1: "You hung up",
        2: "Your phone could not be reached",
        3: "The customer's phone could not be reached",
        4: "You did not answer your phone",
        5: "The customer did not answer",
        6: "The call could not be started",
    }
    for code, title in outcome_titles.items():
        assert str(d("outcome", code).title) == title


def test_success_reasons_need_no_fixing():
    for source in SOURCES:
        for reason in reasons_for(source):
            if is_success(source, reason.code):
                assert reason.fixer is Fixer.NOBODY, reason.key


def test_is_success():
    for source in (
        "createCall",
        "queryCallState",
        "queryCallDetailRecord",
        "queryPhone",
        "getRecordingAddress",
    ):
        assert is_success(source, 0)
        assert is_success(source, "0")
        assert is_success(source, " 00 ")
        assert not is_success(source, 1)
        assert not is_success(source, None)
    assert is_success("http", 200) and is_success("http", "204")
    assert not is_success("http", 401)
    assert is_success("outcome", 0) and is_success("outcome", 1)
    assert not is_success("outcome", 4)
    assert is_success("outcome_ita", 16)
    assert not is_success("outcome_ita", 17)
    assert not is_success("transport", "timeout")
    assert not is_success("nonsense", 0)
    assert not is_success("http", "²")


# --------------------------------------------------------------------------------------------
# decode is total and normalises codes
# --------------------------------------------------------------------------------------------


def test_numeric_codes_normalise():
    same = [decode("createCall", c) for c in ("5", 5, " 5 ", "05", "+5", 5.0, b"5", "\t5\n")]
    assert all(reason is same[0] for reason in same)
    assert same[0].known and same[0].code == "5"
    assert decode("queryCallDetailRecord", "012") is decode("queryCallDetailRecord", 12)
    assert decode("transport", " TIMEOUT ") is decode("transport", "timeout")
    assert decode("CREATECALL", 5) is same[0]  # source names are case-insensitive
    assert normalize_code("createCall", None) == ""
    assert normalize_code("createCall", " 0090100100 ") == "90100100"


def test_get_recording_address_int_codes_decode():
    for code in (0, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13):
        reason = decode("getRecordingAddress", code)
        assert reason.known and reason.code == str(code)
    assert decode("getRecordingAddress", 0).fixer is Fixer.NOBODY


@pytest.mark.parametrize(
    ("source", "code", "needle"),
    [
        ("createCall", 777, "AICC returned code 777"),
        ("createCall", "abc", "abc"),
        ("http", 418, "418"),
        ("http", 599, "599"),
        ("transport", "weird", "weird"),
        ("token", 418, "418"),
        ("queryCallState", 9, "9"),
        ("queryCallDetailRecord", 99, "99"),
        ("queryPhone", 77, "77"),
        ("getRecordingAddress", 2, "2"),
        ("outcome", 7, "Other exception (code 7)"),
        ("outcome_ita", 10, "10"),
        ("state", 9, "9"),
        ("no-such-source", 12345, "12345"),
    ],
)
def test_unknown_code_shows_raw_code(source, code, needle):
    reason = decode(source, code)
    assert not reason.known
    assert needle in str(reason.title)
    assert str(code) in str(reason.explanation)
    assert str(reason.next_step).strip()
    assert isinstance(reason.fixer, Fixer)
    assert reason.vendor_msg == ""


def test_unknown_fallback_defaults():
    reason = decode("createCall", 777)
    assert reason.fixer is Fixer.PROVIDER and reason.retry is False
    assert reason.key == "createCall:777"
    assert decode("http", 599).retry is True  # server side: may go away
    assert decode("http", 418).retry is False
    assert decode("createCall", 777) == decode("createCall", "777")
    assert decode("createCall", 777) != decode("createCall", 5)
    assert "(none)" in str(decode("createCall", None).title)


def _random_code(rng: random.Random) -> object:
    kind = rng.randrange(9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randint(-(10**12), 10**12)
    if kind == 2:
        return rng.randint(0, 200)
    if kind == 3:
        return str(rng.randint(0, 99999999)).zfill(rng.randint(0, 10))
    if kind == 4:
        alphabet = "0123456789 abcXYZ-_.:+\t\n²５é中文"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
    if kind == 5:
        return rng.choice([1.5, float("nan"), float("inf"), -0.0, 3.0, 1e300])
    if kind == 6:
        return rng.choice([b"5", b"\xff\xfe", bytearray(b"12"), True, False])
    if kind == 7:
        return rng.choice([[], {}, (1, 2), object(), "9" * 5000, 10**5000])
    return rng.choice(["timeout", "TLS", " dns ", "", "   "])


def test_decode_is_total():
    rng = random.Random(20240601)
    sources = [*SOURCES, "unknown", "", None, 42]
    for _ in range(3000):
        source = rng.choice(sources)
        code = _random_code(rng)
        reason = decode(source, code)
        assert isinstance(reason, Reason)
        for text in (reason.title, reason.explanation, reason.next_step):
            assert str(text).strip()
        assert isinstance(reason.code, str)
        assert len(reason.code) <= 64
        assert isinstance(reason.fixer, Fixer)
        assert isinstance(is_success(source, code), bool)
        repr(reason)
        hash(reason)


def test_decode_tolerates_hostile_str():
    class Hostile:
        def __str__(self):
            raise RuntimeError("boom")

    reason = decode("createCall", Hostile())
    assert not reason.known
    assert str(reason.title)


# --------------------------------------------------------------------------------------------
# Translation and module hygiene
# --------------------------------------------------------------------------------------------


def test_renders_under_another_language():
    with translation.override("zh-hans"):
        for reason in all_reasons():
            assert str(reason.title).strip()
        assert str(decode("createCall", 777).title).strip()


def test_module_imports_only_translation_utilities():
    package = Path(reasons.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 1, modules  # a package: each source's table in its own module
    imported = set()
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    django_modules = {name for name in imported if name.startswith("django")}
    assert django_modules <= {"django.utils.translation", "django.utils.text"}, django_modules
    assert not any("models" in name or "db" in name.split(".") for name in imported)
