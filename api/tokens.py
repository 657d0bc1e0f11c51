"""Personal API tokens: issuing, revoking and listing them (each change audited), and finding
the token of a request with its per-token rate limit.

A token is `aicc_` and 43 URL-safe characters (256 random bits). It is shown once, when it is
issued; only its SHA-256 is stored. A request's token is found by that hash in one query (with
its membership, tenant and user), and counted against the tenant's "API requests per minute per
token" in one conditional UPDATE of the token's row (below), so every process and host shares the
count. The same UPDATE notes when the token was last used.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections
from django.utils import timezone

from api.models import ApiToken
from console import audit
from console.models import Membership, who
from console.prepared import Prepared

PREFIX = "aicc_"
SHOWN = len(PREFIX) + 8  # characters of a token that name it on pages ("aicc_AbCdEfGh…")
MAX_EXPIRY_DAYS = 3650


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class Issued:
    token: str  # the only time it exists in clear: show it once, never store or log it
    record: ApiToken


def may_issue(actor_membership: Membership, for_membership: Membership) -> bool:
    """Admins issue tokens for anyone of their tenant; others for themselves, when the tenant
    allows it."""
    if actor_membership.tenant_id != for_membership.tenant_id:
        return False
    if actor_membership.is_admin:
        return True
    return actor_membership.tenant.api_self_service and actor_membership.pk == for_membership.pk


def may_revoke(actor_membership: Membership, token: ApiToken) -> bool:
    if actor_membership.tenant_id != token.tenant_id:
        return False
    return actor_membership.is_admin or token.membership_id == actor_membership.pk


def issue(*, membership: Membership, name: str, expires_days: int | None, actor) -> Issued:
    """A new token for `membership`'s person in its tenant (audited; `actor` None: the command
    line)."""
    token = new_token()
    now = timezone.now()
    record = ApiToken.objects.create(
        tenant=membership.tenant,
        membership=membership,
        name=name.strip()[:100] or "API",
        prefix=token[:SHOWN],
        token_hash=token_hash(token),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    audit.record(
        tenant=membership.tenant,
        actor=actor,
        action="api_token.issue",
        target=f"{record.prefix}… {record.name}",
        changes={
            "person": [None, who(membership.user)],
            "expires": [None, record.expires_at.date().isoformat() if record.expires_at else None],
        },
    )
    return Issued(token, record)


def revoke(*, token: ApiToken, actor) -> bool:
    """Revoke `token` (audited). False if it was revoked already."""
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        return False
    token.revoked_at = now
    audit.record(
        tenant=token.tenant,
        actor=actor,
        action="api_token.revoke",
        target=f"{token.prefix}… {token.name}",
        changes={"person": [who(token.membership.user), None]},
    )
    return True


def tokens_of(tenant, membership: Membership | None = None):
    """The tenant's tokens (only `membership`'s when given), newest first."""
    qs = ApiToken.objects.filter(tenant=tenant).select_related("membership__user", "created_by")
    if membership is not None:
        qs = qs.filter(membership=membership)
    return qs


# ---- authenticating a request ------------------------------------------------------------------

# Prepared (console/prepared.py): every API request runs it.
_BY_HASH = Prepared(
    lambda digest: ApiToken.objects.select_related("membership__tenant", "membership__user").filter(
        token_hash=digest
    )[:1],
    digest=str,
)


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int):
        super().__init__("rate limited")
        self.retry_after, self.limit = retry_after, limit


def authenticate(raw: str, *, now: datetime | None = None) -> Membership | None:
    """The membership a request's token acts as, or None for no valid token. Raises RateLimited
    when the token has used up this minute's requests."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = _BY_HASH.first(digest=token_hash(raw))
    now = now or timezone.now()
    if token is None or token.state(now) != "active":
        return None
    membership = token.membership
    if not membership.user.is_active or membership.tenant_id != token.tenant_id:
        return None
    count(token, membership.tenant.api_rate_per_minute, now)
    return membership


def count(token: ApiToken, limit: int, now: datetime) -> None:
    """Count one request of `token` in the current minute, or raise RateLimited when `limit`
    are counted already. One UPDATE, whose WHERE clause holds the rule, so concurrent requests
    from any process or host cannot both take the last place: a new minute starts at 1, else the
    count goes up while it is under the limit. It notes the time of use as well.

    The statement is the ORM's `filter(pk=..).filter(~Q(rate_window=m) | Q(rate_count__lt=limit))
    .update(rate_count=Case(When(rate_window=m, then=F("rate_count") + 1), default=1), ...)`
    written once per database from the model's own names: building and compiling it on every
    request was a visible part of an API request's time (docs/performance.md)."""
    minute = int(now.timestamp() // 60)
    connection = connections[ApiToken.objects.db]
    sql = _COUNT_SQL.get(connection.vendor) or _COUNT_SQL.setdefault(
        connection.vendor, _count_sql(connection)
    )
    used = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [minute, minute, used, token.pk, minute, limit])
        counted = cursor.rowcount
    if not counted:
        raise RateLimited(retry_after=max(1, 60 - int(now.timestamp()) % 60), limit=limit)


_COUNT_SQL: dict[str, str] = {}


def _count_sql(connection) -> str:
    qn = connection.ops.quote_name
    meta = ApiToken._meta
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    window, used_at = (qn(meta.get_field(n).column) for n in ("rate_window", "last_used_at"))
    counted = qn(meta.get_field("rate_count").column)
    # Identifiers from the model's own metadata, quoted; every value is a parameter.
    return (
        f"UPDATE {table} SET {counted} = CASE WHEN {window} = %s THEN {counted} + 1 ELSE 1 END, "  # noqa: S608
        f"{window} = %s, {used_at} = %s "
        f"WHERE {pk} = %s AND ({window} <> %s OR {counted} < %s)"
    )
