"""Keeping phone numbers, secrets and tokens out of logs and Outcomes."""

from __future__ import annotations

import re

from calls.aicc.results import DETAIL_MAX


def mask_number(s: object) -> str:
    """Mask a phone number for logs, keeping its last 4 characters and its length.

    A leading "+" is kept; numbers of 4 characters or fewer are masked entirely.
    """
    if s is None:
        return ""
    text = str(s).strip()
    if not text:
        return ""
    prefix = ""
    if text.startswith("+"):
        prefix, text = "+", text[1:]
    if len(text) <= 4:
        return prefix + "*" * len(text)
    return prefix + "*" * (len(text) - 4) + text[-4:]


_PASSWORD_RE = re.compile(r'("?password"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^,}\s]*)', re.IGNORECASE)
_TOKEN_FIELD_RE = re.compile(
    r'("?(?:AccessToken|access_token|app_secret)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^,}\s]*)',
    re.IGNORECASE,
)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Short, single-line excerpt without passwords, tokens or the given secret values."""
    text = _PASSWORD_RE.sub(r"\1***", text)
    text = _TOKEN_FIELD_RE.sub(r"\1***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text[:DETAIL_MAX]


def excerpt(body: bytes, secrets: tuple[str, ...] = ()) -> str:
    """The scrubbed start of a response body."""
    # Scrub a slightly longer prefix so a secret straddling the cut is still caught.
    return scrub(body[: DETAIL_MAX * 8].decode("utf-8", errors="replace"), secrets)
