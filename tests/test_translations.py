"""Simplified Chinese is complete: every message in the source has a checked zh-Hans translation,
the decoded-reason catalogue renders in Chinese, and pages follow the browser or the user's choice.

The catalogue is read with a small parser below (no gettext or polib needed).  Rendering needs
the compiled .mo: `make test` builds it (`make messages`); when it is missing or older than the
.po, the `compiled` fixture builds it with scripts/compile_messages.py, as the Makefile does.
"""

import ast
import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import template as template_i18n
from django.utils.translation import trans_real

from calls.aicc.reasons import Fixer, all_reasons, decode
from scripts.compile_messages import CatalogueError, compile_catalogue

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# The same folders `makemessages` is told to skip (-i), plus what is never source.
SKIP_DIRS = {".venv", "bench", "tests", "var", "artifacts", "staticfiles", "node_modules", "docs"}

# Chinese characters (CJK Unified Ideographs).
HAN = re.compile(r"[\u4e00-\u9fff]")
# %(name)s / %s / %d / %% (printf style), {name} (str.format style), HTML tags.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


# ---------------------------------------------------------------------------------------------
# A tiny .po reader
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(text):
    """The value of one quoted .po string: `"a\\nb"` -> 'a\nb'."""
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a list), flags, line.

    Handles multi-line strings, plural forms and flags; skips obsolete (#~) entries.
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": []}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
        else:
            keyword, _, value = line.partition(" ")
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural or keyword == "msgstr":
                index = int(plural.group(1)) if plural else 0
                while len(entry["msgstr"]) <= index:
                    entry["msgstr"].append("")
                entry["msgstr"][index] = _unquote(value)
                field = ("msgstr", index)
            else:
                assert keyword in ("msgctxt", "msgid", "msgid_plural"), f"{path}:{number}: {raw}"
                entry[keyword] = _unquote(value)
                field = (keyword, None)
                if keyword == "msgid":
                    entry["line"] = number
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue():
    assert PO.exists(), f"{PO} is missing: run makemessages -l zh_Hans (see locale/)"
    return read_po(PO)


def messages(entries):
    return [e for e in entries if e["msgid"]]  # without the header entry


def header(entries):
    (head,) = [e for e in entries if not e["msgid"]]
    return dict(
        line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line
    ), head


# ---------------------------------------------------------------------------------------------
# What the source asks to translate (the same keywords makemessages gives xgettext)
# ---------------------------------------------------------------------------------------------

# keyword -> (index of the context argument or None, indexes of the message arguments)
KEYWORDS = {
    "_": (None, (0,)),
    "gettext": (None, (0,)),
    "gettext_lazy": (None, (0,)),
    "gettext_noop": (None, (0,)),
    "ngettext": (None, (0, 1)),
    "ngettext_lazy": (None, (0, 1)),
    "pgettext": (0, (1,)),
    "pgettext_lazy": (0, (1,)),
    "npgettext": (0, (1, 2)),
    "npgettext_lazy": (0, (1, 2)),
}


def _from_call(call):
    """(msgctxt, msgid) of a gettext-like call node, or None when its arguments are not literal."""
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    if name not in KEYWORDS:
        return None
    ctx_index, msg_indexes = KEYWORDS[name]
    args = call.args
    needed = max(msg_indexes + ((ctx_index,) if ctx_index is not None else ()))
    if len(args) <= needed:
        return None
    values = [a.value if isinstance(a, ast.Constant) else None for a in args[: needed + 1]]
    if not all(isinstance(values[i], str) for i in msg_indexes):
        return None
    context = values[ctx_index] if ctx_index is not None else None
    return context, values[msg_indexes[0]]


def _source_files(suffixes):
    for path in sorted(BASE.rglob("*")):
        rel = path.relative_to(BASE)
        if path.suffix in suffixes and not (set(rel.parts[:-1]) & SKIP_DIRS) and path.is_file():
            yield rel, path


# A Python string literal as templatize() writes it: u'...' or u"..." (when the text has a ').
STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""


def source_messages():
    """{(msgctxt, msgid): "file"} for every translatable literal in Python files and templates."""
    found = {}
    for rel, path in _source_files({".py"}):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))):
            if isinstance(node, ast.Call) and (key := _from_call(node)):
                found.setdefault(key, str(rel))
    for rel, path in _source_files({".html", ".txt"}):
        if "templates" not in rel.parts:
            continue
        # Django's own template-to-gettext conversion, as used by makemessages.
        code = template_i18n.templatize(path.read_text(encoding="utf-8"), origin=str(rel))
        for match in re.finditer(rf"\b(n?p?gettext)\(((?:\s*{STRING}\s*,?)+)", code):
            strings = [ast.literal_eval(s) for s in re.findall(STRING, match[2])]
            context = strings.pop(0) if match[1].startswith(("pgettext", "npgettext")) else None
            found.setdefault((context, strings[0]), str(rel))
    return found


# ---------------------------------------------------------------------------------------------
# The catalogue itself
# ---------------------------------------------------------------------------------------------


def test_every_message_in_the_catalogue_is_translated_and_not_fuzzy(catalogue):
    problems = [
        f"line {e['line']}: {e['msgid']!r}" + (" (fuzzy)" if "fuzzy" in e["flags"] else "")
        for e in messages(catalogue)
        if "fuzzy" in e["flags"] or not e["msgstr"] or not all(s.strip() for s in e["msgstr"])
    ]
    assert not problems, "untranslated zh-Hans messages:\n" + "\n".join(problems)


def test_every_translatable_string_in_the_source_is_in_the_catalogue(catalogue):
    translated = {
        (e["msgctxt"], e["msgid"]) for e in messages(catalogue) if all(e["msgstr"]) and e["msgstr"]
    }
    missing = [
        f"{where}: {msgid!r}"
        for (context, msgid), where in sorted(source_messages().items(), key=lambda kv: kv[1])
        if (context, msgid) not in translated
    ]
    assert not missing, (
        "strings without a zh-Hans translation (run makemessages -l zh_Hans, then translate):\n"
        + "\n".join(missing)
    )


def test_the_source_scan_finds_strings_from_python_and_templates():
    found = {msgid for _, msgid in source_messages()}
    # Python (a lazy reason title, a plural-free form label), a template, a blocktranslate.
    assert {"Call placed", "Customer's number", "Skip to content"} <= found
    assert "You called %(number)s at %(time)s. Call again?" in found


def test_placeholders_and_html_survive_translation(catalogue):
    problems = []
    for e in messages(catalogue):
        sources = [e["msgid"]] + ([e["msgid_plural"]] if e["msgid_plural"] else [])
        want = sorted(PLACEHOLDER.findall(e["msgid"]))
        want_tags = sorted(TAG.findall(e["msgid"]))
        for translated in e["msgstr"]:
            got = sorted(PLACEHOLDER.findall(translated))
            # nplurals=1: the one Chinese form may use the singular's or the plural's placeholders.
            if got not in [sorted(PLACEHOLDER.findall(s)) for s in sources]:
                problems.append(f"line {e['line']}: {want} != {got} in {translated!r}")
            if sorted(TAG.findall(translated)) != want_tags:
                problems.append(f"line {e['line']}: HTML tags differ in {translated!r}")
    assert not problems, "\n".join(problems)


def test_translations_are_chinese(catalogue):
    # Every message has Chinese characters, except the few that are names or units kept as is.
    kept = {"app key": "App Key"}
    not_chinese = [
        f"line {e['line']}: {e['msgid']!r} -> {e['msgstr'][0]!r}"
        for e in messages(catalogue)
        if not HAN.search(e["msgstr"][0] if e["msgstr"] else "")
        and kept.get(e["msgid"]) != e["msgstr"][0]
    ]
    assert not not_chinese, "\n".join(not_chinese)


def test_header_declares_simplified_chinese_with_one_plural_form(catalogue):
    fields, head = header(catalogue)
    assert "fuzzy" not in head["flags"]
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Language"] == "zh_Hans"
    plurals = [e for e in messages(catalogue) if e["msgid_plural"]]
    assert plurals and all(len(e["msgstr"]) == 1 for e in plurals)


def test_compiled_files_are_not_committed():
    ignored = (BASE / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.mo" in ignored


# ---------------------------------------------------------------------------------------------
# Compiling (scripts/compile_messages.py: Babel, refusing format errors as msgfmt -c does)
# ---------------------------------------------------------------------------------------------

PO_HEADER = r"""msgid ""
msgstr ""
"Language: zh_Hans\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

"""


def test_the_catalogue_compiles_to_what_gettext_reads(tmp_path, catalogue):
    mo = tmp_path / "django.mo"
    compile_catalogue(PO, mo)
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    assert compiled.gettext("Forgot your password?") == "忘记密码？"
    assert compiled.ngettext("%(s)s second", "%(s)s seconds", 5) == "%(s)s 秒"
    assert compiled.gettext("(none)") == "（无）"
    # Every translated message is in it (the header aside).
    assert len(compiled._catalog) - 1 == sum(
        len(e["msgstr"]) if e["msgid_plural"] else 1 for e in messages(catalogue)
    )


@pytest.mark.parametrize(
    "entry, error",
    [
        (  # a named placeholder dropped: the translation would lose the number
            '#, python-format\nmsgid "Called %(number)s at %(time)s"\nmsgstr "于 %(time)s 呼叫"',
            "%(number) missing",
        ),
        (  # a name the source does not pass: KeyError at run time
            '#, python-format\nmsgid "Called %(number)s"\nmsgstr "呼叫 %(numbr)s"',
            "unknown named placeholder 'numbr'",
        ),
        (  # the one Chinese plural form stands for every count, so it needs the count
            '#, python-format\nmsgid "%(s)s second"\nmsgid_plural "%(s)s seconds"\nmsgstr[0] "秒"',
            "%(s) missing",
        ),
        (  # positional placeholders that do not pair up
            '#, python-format\nmsgid "%s of %s"\nmsgstr "%s"',
            "placeholders are unbalanced",
        ),
        (  # a str.format field dropped
            '#, python-brace-format\nmsgid "Hello {name}"\nmsgstr "你好"',
            "name missing",
        ),
        ('msgid "Hello"\nmsgstr "你好"\nmsgtxt "x"', "misformatted keyword"),  # not .po syntax
    ],
)
def test_a_format_error_stops_the_compilation(tmp_path, entry, error):
    po, mo = tmp_path / "django.po", tmp_path / "django.mo"
    po.write_text(PO_HEADER + entry + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape(error)) as caught:
        compile_catalogue(po, mo)
    assert str(po) in str(caught.value)
    assert not mo.exists() and not list(tmp_path.glob("*.tmp"))


def test_a_fuzzy_entry_is_neither_checked_nor_compiled(tmp_path):
    po, mo = tmp_path / "django.po", tmp_path / "django.mo"
    fuzzy = '#, fuzzy, python-format\nmsgid "Called %(number)s"\nmsgstr "呼叫"\n\n'
    po.write_text(PO_HEADER + fuzzy + 'msgid "Hello"\nmsgstr "你好"\n', encoding="utf-8")
    compile_catalogue(po, mo)
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    assert compiled.gettext("Hello") == "你好"
    assert compiled.gettext("Called %(number)s") == "Called %(number)s"


def test_the_command_names_the_broken_line_and_fails(tmp_path):
    po, mo = tmp_path / "django.po", tmp_path / "django.mo"
    broken = '#, python-format\nmsgid "Called %(number)s"\nmsgstr "已呼叫"\n'
    po.write_text(PO_HEADER + broken, encoding="utf-8")
    script = BASE / "scripts" / "compile_messages.py"
    run = subprocess.run([sys.executable, script, po, mo], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{po}:8: %(number) missing in '已呼叫'" in run.stderr
    assert not mo.exists()


# ---------------------------------------------------------------------------------------------
# Rendering (needs the compiled catalogue)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the request's language active in this thread: reset it, so the
    tests that run after these still see English."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def compiled():
    """Make sure locale/zh_Hans has a current django.mo (normally built by `make messages`)."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        compile_catalogue(PO, MO)
        trans_real._translations = {}  # forget catalogues loaded before the .mo existed
        trans_real._active = trans_real.Local()
        trans_real._default = None


def test_every_catalogue_reason_renders_in_chinese(compiled):
    reasons = all_reasons()
    assert len(reasons) > 100
    with translation.override("en"):
        english = {r.key: (str(r.title), str(r.explanation), str(r.next_step)) for r in reasons}
    problems = []
    with translation.override("zh-hans"):
        for r in reasons:
            chinese = (str(r.title), str(r.explanation), str(r.next_step))
            for name, zh, en in zip(("title", "explanation", "next_step"), chinese, english[r.key]):
                if zh == en or not HAN.search(zh):
                    problems.append(f"{r.key} {name}: {zh!r}")
    assert not problems, "reasons not in Chinese:\n" + "\n".join(problems)


def test_unknown_codes_and_fixer_labels_render_in_chinese(compiled):
    with translation.override("zh-hans"):
        unknown = decode("createCall", 777)
        assert str(unknown.title) == "AICC 返回代码 777"
        assert "777" in str(unknown.explanation) and HAN.search(str(unknown.explanation))
        assert str(decode("createCall", None).title) == "AICC 返回代码 （无）"
        assert [f.label() for f in Fixer] == ["您本人", "控制台管理员", "AICC 服务商", "无需处理"]


def test_the_login_page_follows_the_browser_language(client, compiled):
    r = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9,en;q=0.5")
    body = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "忘记密码？" in body and "AICC 控制台" in body
    assert "Forgot your password?" not in body


def test_the_login_page_stays_english_for_an_english_browser(client, compiled):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in body and "Forgot your password?" in body


def test_the_language_switcher_overrides_the_browser(client, compiled):
    r = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert r.status_code == 302 and r["Location"] == reverse("login")
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "忘记密码？" in body
    # The footer offers both languages, each in its own name, with the current one selected.
    assert '<option value="zh-hans" selected>简体中文</option>' in body
    assert '<option value="en">English</option>' in body


def test_a_console_page_and_its_messages_render_in_chinese(client, manager, tenant, compiled):
    client.force_login(manager)
    url = reverse("call", kwargs={"tenant_code": tenant.code})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "呼叫客户" in body and "客户号码" in body and "退出登录" in body
    assert "Call a customer" not in body
    # A form error is translated too.
    r = client.post(url, {"called": "abc"}, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert "请只使用数字" in r.content.decode()
