"""Logs: one JSON object per line in production, plain text in development.

Every record gets the request id, the tenant and the user of the request being served (set by
`console.middleware.RequestIdMiddleware`; "-" outside a request). Phone numbers never reach a log
line whole: services log them through `calls.aicc.masking.mask_number`, and
`RequestContextFilter` masks every run of 7 or more digits in the final message as a safety net
(so a number logged by mistake, or in a URL, shows only its last 4 digits). Bearer tokens and
`secret=`/`password=`/`token=` values are redacted the same way. Only the fields listed in
`JsonFormatter` are written: never `extra` data.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from calls.aicc.masking import mask_number as mask

# The request being served by this thread (gunicorn's threaded workers: one context per thread).
current_request: ContextVar = ContextVar("current_request", default=None)

# Serial numbers (``serial=<digits>``) identify a call, not a person: they stay whole so that
# operators can match a log line with AICC's records.
# Digits inside a word or a UUID ("…-12345678-…") are not phone numbers and stay as they are.
_DIGIT_RUN = re.compile(r"(?<!serial=)(?<![\w-])\d{7,}(?![\w-])")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
_SECRET_VALUE = re.compile(
    r"(?i)((?:app_?secret|secret|password|passwd|access_?token|token|authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s,;&\"'}]+"
)

# Secrets inside URL paths, wherever a path is logged (Django's request and server loggers,
# gunicorn, tracebacks): the callback token (t/<tenant>/aicc/<token>/...), the invitation token
# (invitation/<token>/) and the password-reset link's user id and token (accounts/reset/<uidb64>/<token>/).
_PATH_SECRET = re.compile(r"(/aicc/|/invitation/)[^/\s\"'?#]+|(/reset/)[^/\s\"'?#]+/[^/\s\"'?#]+")


def _redact_path(match: re.Match) -> str:
    return f"{match.group(1)}[redacted]" if match.group(1) else f"{match.group(2)}[redacted]"


def scrub(text: str) -> str:
    """Mask digit runs of 7+ (phone numbers) and redact bearer tokens, secret values and secrets
    in URL paths."""
    text = _PATH_SECRET.sub(_redact_path, text)
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _SECRET_VALUE.sub(r"\1[redacted]", text)
    return _DIGIT_RUN.sub(lambda m: mask(m.group()), text)


def request_fields(request) -> dict:
    """Request id, tenant and user of a request, without touching the database: the user only
    once authentication has loaded it, the tenant only once `TenantMiddleware` has set it."""
    if request is None:
        return {"request_id": "-", "tenant": "-", "user": "-"}
    membership = getattr(request, "membership", None)
    tenant = membership.tenant.slug if membership is not None else "-"
    user = "-"
    lazy_user = request.__dict__.get("user")
    wrapped = getattr(lazy_user, "_wrapped", lazy_user)
    if wrapped is not None and getattr(wrapped, "is_authenticated", False) is True:
        user = wrapped.get_username()
    return {"request_id": getattr(request, "request_id", "-"), "tenant": tenant, "user": user}


class RequestContextFilter(logging.Filter):
    """Adds request_id, tenant, user and `safe_message` (the scrubbed message) to each record.

    It only adds attributes, never rewrites `msg`/`args`, so other handlers (pytest's caplog,
    Sentry) see the record as it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in request_fields(current_request.get()).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        record.safe_message = scrub(record.getMessage())
        return True


class PlainFormatter(logging.Formatter):
    """Development: one readable line; the message scrubbed like in production."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        values = {
            **record.__dict__,
            "message": getattr(record, "safe_message", None) or scrub(record.getMessage()),
        }
        values.setdefault("request_id", "-")
        return self._style._fmt % values


class JsonFormatter(logging.Formatter):
    """Production: one JSON object per line with a fixed set of fields."""

    def format(self, record: logging.LogRecord) -> str:
        message = getattr(record, "safe_message", None)
        if message is None:
            message = scrub(record.getMessage())
        context = request_fields(current_request.get())
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": getattr(record, "request_id", context["request_id"]),
            "tenant": getattr(record, "tenant", context["tenant"]),
            "user": getattr(record, "user", context["user"]),
        }
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = scrub(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)
