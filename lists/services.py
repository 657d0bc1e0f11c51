"""A call list's changes by supervisors and admins: creating and changing it, pausing and
resuming, importing entries, and who works it (its pool, and entries given to one manager).
Each change writes its audit entry in the same transaction (console/audit.py)."""

from __future__ import annotations

from uuid import uuid4

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from console import audit
from console.models import Membership, Tenant
from lists.importing import ListImport, Report
from lists.models import CallList, ListEntry

FIELDS = (
    "name",
    "description",
    "owner",
    "starts_on",
    "ends_on",
    "max_attempts",
    "retry_minutes",
)
BULK = 2000  # rows per INSERT at import
ANALYZE_AFTER = 10_000  # entries imported at once after which PostgreSQL re-reads the table


def _snapshot(call_list: CallList) -> dict:
    out = audit.snapshot(call_list, [f for f in FIELDS if f != "owner"])
    out["owner"] = call_list.owner.username if call_list.owner_id else None
    return out


def managers_of(tenant: Tenant):
    return User.objects.filter(
        memberships__tenant=tenant, memberships__role=Membership.Role.MANAGER
    ).order_by("username")


def list_create(*, tenant: Tenant, data: dict, members, actor) -> CallList:
    with transaction.atomic():
        call_list = CallList.objects.create(
            tenant=tenant, created_by=actor, **{f: data[f] for f in FIELDS}
        )
        call_list.members.set(members)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="call_list.add",
            target=call_list.name,
            changes=audit.diff({}, _snapshot(call_list)),
        )
    return call_list


def list_change(*, call_list: CallList, data: dict, members, actor) -> dict:
    before = _snapshot(call_list)
    before_members = sorted(call_list.members.values_list("username", flat=True))
    for f in FIELDS:
        setattr(call_list, f, data[f])
    changes = audit.diff(before, _snapshot(call_list))
    after_members = sorted(u.username for u in members)
    if before_members != after_members:
        changes["pool"] = [" ".join(before_members), " ".join(after_members)]
    if changes:
        with transaction.atomic():
            call_list.save()
            call_list.members.set(members)
            audit.record(
                tenant=call_list.tenant,
                actor=actor,
                action="call_list.change",
                target=call_list.name,
                changes=changes,
            )
    return changes


def list_pause(*, call_list: CallList, paused: bool, actor) -> bool:
    """Pause (nothing is offered from it) or resume. True when it changed."""
    with transaction.atomic():
        n = CallList.objects.filter(pk=call_list.pk, paused=not paused).update(paused=paused)
        if n:
            call_list.paused = paused
            audit.record(
                tenant=call_list.tenant,
                actor=actor,
                action="call_list.pause" if paused else "call_list.resume",
                target=call_list.name,
            )
    return bool(n)


def list_import(*, call_list: CallList, rows: list, actor) -> Report:
    """Import the file's rows (title row first) into the list: all of them, or, if any has a
    problem, none (`report.errors`). Duplicates and do-not-call numbers are left out and
    reported. The managers the file names join the list's pool."""
    checked = ListImport(call_list, rows, now=timezone.now())
    report = checked.report
    if report.errors:
        return report
    with transaction.atomic():
        insert_entries(report.rows)
        if checked.managers_used:
            call_list.members.add(*checked.managers_used)
        report.imported = len(report.rows)
        audit.record(
            tenant=call_list.tenant,
            actor=actor,
            action="call_list.import",
            target=call_list.name,
            changes={
                "imported": report.imported,
                "duplicates": report.duplicate_count,
                "do_not_call": report.do_not_call_count,
            },
        )
    report.rows = []
    if report.imported >= ANALYZE_AFTER and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        # The planner's statistics before autovacuum's next pass: without them the "next" and
        # progress queries of a list just imported were planned for an empty table (100 times
        # slower at 100,000 entries; docs/performance.md, Issue 19).
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("ANALYZE lists_listentry")
    return report


def insert_entries(entries: list[dict]) -> None:
    """INSERT the entries (their fields by attname; the others take their defaults), BULK rows
    per executemany: what bulk_create does without building a model instance and compiling SQL
    for each row, which was most of the import's time at 100,000 rows (and SQLite's
    999-parameter limit made bulk_create send 38 rows a statement). docs/performance.md,
    Issue 19."""
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in ListEntry._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {"created_at": now}
    for f in fields:
        if f.attname not in defaults and f.has_default():
            defaults[f.attname] = f.get_default()

    def converter(f):
        if isinstance(f, models.UUIDField):
            return lambda v: None if v is None else f.get_db_prep_value(v, conn, prepared=False)
        if isinstance(f, (models.JSONField, models.DateTimeField)):
            seen: dict = {}  # the same few datetimes on many rows: converted once each

            def convert(v):
                if v is None:
                    return None
                if isinstance(v, dict):
                    return f.get_db_prep_save(v, conn)
                if v not in seen:
                    seen[v] = f.get_db_prep_save(v, conn)
                return seen[v]

            return convert
        return None

    prep = [converter(f) for f in fields]
    quote = conn.ops.quote_name
    # Table and column names from the model, placeholders for every value: no input in the SQL.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(ListEntry._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    columns = [(f.attname, f.attname == "code") for f in fields]
    with conn.cursor() as cursor:
        for start in range(0, len(entries), BULK):
            rows = []
            for entry in entries[start : start + BULK]:
                values = [
                    uuid4() if is_code else entry.get(a, defaults.get(a)) for a, is_code in columns
                ]
                rows.append([p(v) if p else v for p, v in zip(prep, values, strict=True)])
            cursor.executemany(sql, rows)


def list_assign(*, call_list: CallList, to: User | None, count: int | None, source, actor) -> int:
    """Give queued entries to one manager (`to`; they join the pool) or back to the pool
    (`to` None): `count` of them at most (None: all), in the queue's order, from `source`:
    "pool" (entries assigned to no one) or a manager's entries. Returns how many moved."""
    entries = ListEntry.objects.filter(list_id=call_list.pk, queued=True)
    entries = (
        entries.filter(assigned_to__isnull=True)
        if source == "pool"
        else entries.filter(assigned_to=source)
    )
    pks = entries.order_by("sort_due", "-priority", "id").values_list("pk", flat=True)
    if count is not None:
        pks = pks[:count]
    with transaction.atomic():
        n = ListEntry.objects.filter(pk__in=list(pks)).update(assigned_to=to)
        if to is not None:
            call_list.members.add(to)
        audit.record(
            tenant=call_list.tenant,
            actor=actor,
            action="call_list.assign",
            target=call_list.name,
            changes={
                "entries": n,
                "from": "pool" if source == "pool" else source.username,
                "to": to.username if to is not None else "pool",
            },
        )
    return n
