"""Querysets compiled to SQL once, then run many times with new values.

On the hot path (every page load, every placed call) Django spends far longer building and
compiling each small query than running it (docs/performance.md). `Prepared` keeps the ORM as the only
author of the SQL (table and column names, joins, the database's dialect) and skips the
repeated work: the queryset is built once with sample values, compiled per database, and later
runs substitute the real values into the compiled parameters. Rows become model instances the
way QuerySet iteration makes them (select_related included).

    _member = Prepared(
        lambda code, user_id: Membership.objects.select_related("tenant").filter(
            tenant__code=code, user_id=user_id
        ),
        code=UUID, user_id=int,
    )
    m = _member.first(code=..., user_id=...)

`insert_row` and `update_row` do the same for the two writes of a placed call: the SQL comes
from the model's fields (names and the database's own value conversion), built once per set of
fields.

Supported parameter types: int, str, UUID, datetime (each used as a plain lookup value: `exact`,
`gt`, `in`-free comparisons; a value the ORM rewrites, such as `contains`, is refused when the
query is prepared). Tests compare every prepared query with its plain ORM twin on SQLite and
PostgreSQL (tests/console/test_prepared.py).
"""

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Inside 32-bit integer fields' range (the ORM turns an out-of-range lookup into "no rows").
_SAMPLE_BASE = 1_987_654_321


def _sample(kind: type, i: int):
    if kind is int:
        return _SAMPLE_BASE + i
    if kind is str:
        return f"\x01prepared-sample-{i}\x01"
    if kind is UUID:
        return UUID(int=0x5A3F_0000_0000_0000_0000_0000_0000_0000 + i)
    if kind is datetime:
        return datetime(1901, 2, 3, 4, 5, 6, 100 + i, tzinfo=UTC)
    raise TypeError(f"Prepared: unsupported parameter type {kind!r}")


def _adapt(value, connection):
    """The database value of a lookup parameter, as the ORM would send it."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, UUID):
        return value if connection.features.has_native_uuid_field else value.hex
    return value


class _Compiled:
    def __init__(self, queryset: QuerySet, samples: dict, connection) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapted = {name: _adapt(value, connection) for name, value in samples.items()}
        slots: list[tuple[str | None, object]] = []
        seen = set()
        for p in params:
            names = [n for n, v in adapted.items() if type(v) is type(p) and v == p]
            if len(names) > 1:
                raise ValueError(f"Prepared: ambiguous parameter {p!r}")
            if names:
                seen.add(names[0])
                slots.append((names[0], None))
            else:
                slots.append((None, p))  # a constant of the query itself
        missing = set(samples) - seen
        if missing:
            raise ValueError(f"Prepared: parameters not used as plain values: {sorted(missing)}")
        self.sql = sql
        self.slots = slots
        klass_info = compiler.klass_info
        select = compiler.select
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        if klass_info is None or queryset.query.values_select:  # values_list(): tuples (rows)
            self.model = None
            return
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators_args = (klass_info, select)
        if compiler.annotation_col_map:
            raise ValueError("Prepared: annotations are not supported")


def _convert(rows, converters, connection):
    # QuerySet's own conversion (SQLCompiler.apply_converters), with this thread's connection.
    out = []
    for row in rows:
        row = list(row)
        for pos, (convs, expression) in converters.items():
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        out.append(row)
    return out


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], **types: type) -> None:
        self.build = build
        self.types = types
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            samples = {name: _sample(kind, i) for i, (name, kind) in enumerate(self.types.items())}
            queryset = self.build(**samples)
            compiled = _Compiled(queryset.using(using), samples, connections[using])
            self._compiled[using] = compiled
        return compiled

    def sql(self, using: str = "default", **values) -> tuple[str, list]:
        """The compiled SQL and its parameters for these values (also to use as a subquery)."""
        if values.keys() != self.types.keys():
            raise TypeError(f"Prepared: expected values for {sorted(self.types)}")
        connection = connections[using]
        c = self._for(using)
        for name, value in values.items():
            if not isinstance(value, self.types[name]):
                raise TypeError(f"Prepared: {name} must be {self.types[name].__name__}")
        params = [
            _adapt(values[name], connection) if name is not None else const
            for name, const in c.slots
        ]
        return c.sql, params

    def rows(self, using: str = "default", **values) -> list:
        """The rows as tuples, converted as the ORM converts them (a values_list() queryset's
        own rows; for a model queryset, its columns)."""
        sql, params = self.sql(using, **values)
        connection = connections[using]
        c = self._for(using)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows and c.converters:
            rows = [tuple(row) for row in _convert(rows, c.converters, connection)]
        return rows

    def all(self, using: str = "default", **values) -> list:
        c = self._for(using)
        if c.model is None:
            raise TypeError("Prepared: a values_list() query: use rows()")
        rows = self.rows(using, **values)
        if not rows:
            return []
        populators = get_related_populators(*c.populators_args, using)
        objects = []
        for row in rows:
            obj = c.model.from_db(using, c.init_list, row[c.start : c.end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, using: str = "default", **values):
        """The first row's instance, or None. The queryset should be sliced or unique."""
        objects = self.all(using, **values)
        return objects[0] if objects else None


_write_sql: dict[tuple, str] = {}


def insert_row(obj, using: str = "default") -> None:
    """INSERT a new instance as `obj.save(force_insert=True)` would (defaults, auto_now_add and
    the database's value conversions included) and set its primary key. Raises IntegrityError
    the same way. No model signals are sent (the console has none)."""
    connection = connections[using]
    meta = obj._meta
    made_by_db = [f for f in meta.db_returning_fields if not f.generated]
    if obj.pk is not None or made_by_db != [meta.auto_field]:
        raise ValueError("insert_row: new rows with a database-made primary key only")
    # Generated columns (the database computes them) are left out, and load on access.
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    key = ("insert", using, meta.label)
    returning = connection.features.can_return_columns_from_insert
    sql = _write_sql.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        table, columns = qn(meta.db_table), ", ".join(qn(f.column) for f in fields)
        slots = ", ".join(["%s"] * len(fields))
        # Identifiers from the model's own metadata, quoted; every value is a parameter.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({slots})"  # noqa: S608
        if returning:
            sql += f" RETURNING {qn(meta.pk.column)}"
        _write_sql[key] = sql
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def update_row(obj, using: str = "default", **values) -> int:
    """UPDATE the given fields of `obj`'s row (by primary key) to plain values (no expressions)
    and set them on `obj`, as `Model.objects.filter(pk=obj.pk).update(**values)` would. Returns
    the rows changed."""
    connection = connections[using]
    meta = obj._meta
    names = tuple(values)
    key = ("update", using, meta.label, names)
    sql = _write_sql.get(key)
    fields = [meta.get_field(n) for n in names]
    if sql is None:
        qn = connection.ops.quote_name
        # Identifiers from the model's own metadata, quoted; every value is a parameter.
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            qn(meta.db_table),
            ", ".join(f"{qn(f.column)} = %s" for f in fields),
            qn(meta.pk.column),
        )
        _write_sql[key] = sql
    params = [f.get_db_prep_save(values[n], connection) for n, f in zip(names, fields, strict=True)]
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        changed = cursor.rowcount
    for name, value in values.items():
        setattr(obj, name, value)
    return changed
