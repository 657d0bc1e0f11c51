"""HTML written in Python (the history's rows and filter, the follow-ups' rows): `escape` is
the standard library's, on plain strings. Django's `escape` does the same and returns a
SafeString through its lazy-aware wrapper, which these pages call hundreds of times each
(docs/performance.md, "Rows written in Python")."""

import html


def escape(value) -> str:
    """`value` as text, with &, <, >, " and ' escaped."""
    return html.escape(value if type(value) is str else str(value))
