"""The XLSX writer's text cells (calls/xlsx.py): the fast path for plain text writes exactly what
the full path (drop what XML cannot carry, escape, keep leading and trailing spaces) writes."""

from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from calls.xlsx import _NOT_XML, _text


def _full(value: str) -> str:
    value = _NOT_XML.sub("", value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value, {chr(13): '&#13;'})}</t></is>"


@given(st.text())
def test_plain_and_hostile_text_write_as_the_full_path(value):
    assert _text(value) == _full(value)


def test_examples():
    for value in [
        "abc",
        "a b",
        "a\nb",
        " a",
        "a ",
        "a&b",
        "x<y>",
        "",
        "a\x01b",
        "中文",
        "\t",
        "a\u3000",
    ]:
        assert _text(value) == _full(value)
    assert _text(" a") == '<is><t xml:space="preserve"> a</t></is>'
    assert _text("a&b") == "<is><t>a&amp;b</t></is>"
    assert _text("a\rb") == "<is><t>a&#13;b</t></is>"  # a bare one would read as a line feed
