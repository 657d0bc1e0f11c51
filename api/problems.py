"""Errors as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, and,
where the console decoded a reason, the `reason` (source, code, title, explanation, next step,
who can fix it, whether a retry can succeed), the fields' `errors` and the `call_id` stored."""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus
from typing import Literal
from uuid import UUID

from django.http import HttpResponse
from ninja import Schema

from calls.aicc.reasons import Reason
from calls.representation import reason_dict
from guardrails.presenting import who_may_override

MEDIA_TYPE = "application/problem+json"


class ReasonOut(Schema):
    """A decoded reason, in the words of the token's person and the request's language."""

    source: str
    code: str
    title: str
    explanation: str
    next_step: str
    fixer: Literal["caller", "admin", "provider", "nobody"]
    who: str  # who can fix it, in words
    retry: bool  # could an identical retry, as it is, succeed later?
    maybe_placed: bool  # the request may have reached AICC: check before calling again
    group: str  # what it means (calls.aicc.reasons.Group)


reason_out = reason_dict  # the one decoded-reason shape (calls/representation.py)


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    reason: ReasonOut | None = None
    errors: dict[str, list[str]] | None = None
    call_id: UUID | None = None
    # A guardrail's refusal (guardrails.preflight): when calling opens, and whether the token's
    # person may call anyway (with `override_reason`), else who may.
    opens_at: datetime | None = None
    may_override: bool | None = None
    who_may_override: str | None = None


def guard_extra(verdict) -> dict:
    """A guardrails verdict's part of a refusal problem."""
    out = {
        "opens_at": verdict.opens_at.isoformat() if verdict.opens_at else None,
        "may_override": verdict.may_override,
    }
    if not verdict.may_override:
        out["who_may_override"] = who_may_override(verdict)
    return out


class ProblemError(Exception):
    """Raised anywhere in an endpoint: answered as a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str = "",
        reason: Reason | None = None,
        errors: dict | None = None,
        call_id: UUID | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(detail)
        self.status, self.detail, self.title = status, str(detail), str(title)
        self.reason, self.errors, self.call_id = reason, errors, call_id
        self.headers = headers or {}
        self.extra = extra or {}


def problem_response(exc: ProblemError) -> HttpResponse:
    body: dict = {
        "type": "about:blank",
        "title": exc.title or HTTPStatus(exc.status).phrase,
        "status": exc.status,
        "detail": exc.detail,
    }
    if exc.reason is not None:
        # The type names the reason in the catalogue (GET /api/v1/reasons).
        body["type"] = f"/api/v1/reasons#{exc.reason.source}:{exc.reason.code}"
        body["title"] = str(exc.reason.title)
        body["reason"] = reason_out(exc.reason)
    if exc.errors:
        body["errors"] = {k: [str(m) for m in v] for k, v in exc.errors.items()}
    if exc.call_id is not None:
        body["call_id"] = str(exc.call_id)
    body.update({k: str(v) if not isinstance(v, bool | None) else v for k, v in exc.extra.items()})
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=exc.status, content_type=MEDIA_TYPE
    )
    for name, value in exc.headers.items():
        response[name] = value
    return response


def responses(*statuses: int) -> dict:
    """The problem responses an endpoint declares, for its `response=` table."""
    return dict.fromkeys(statuses, Problem)
