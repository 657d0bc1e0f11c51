"""`AnyOf`: a column among a list of values passed as one query parameter.

The ORM's `pk__in=ids` prepares each value in Python and writes a placeholder for each, which
psycopg then splits again: about 5-10 us a value, 5-10 ms for a dashboard's 1,020 managers
(docs/performance.md). Here the list is one parameter: an array on PostgreSQL (`= ANY(%s)`), a
JSON text on SQLite (`IN (SELECT value FROM json_each(%s))`). For whole numbers (ids).

    User.objects.filter(AnyOf(F("id"), ids))
"""

from __future__ import annotations

import json

from django.db.models import BooleanField, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False
    output_field = BooleanField()

    def __init__(self, lhs, rhs):
        super().__init__(lhs, [int(v) for v in rhs])

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        # lhs is a column the compiler wrote; the values are a parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*params, json.dumps(self.rhs)]
