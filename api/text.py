"""Text the API accepts: what a database stores as it is (no NUL, which PostgreSQL refuses in
text; valid Unicode, no lone surrogates). Each schema's text fields check with `plain_text`."""


def plain_text(value: str | None) -> str | None:
    if value is None:
        return value
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Not valid Unicode text.") from None
    return value
