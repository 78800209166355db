"""The demo's row writer: plain rows in explicit columns, `executemany` in batches.

Why not `bulk_create`: it builds and prepares a model instance for every row, and that is
where the time went. Measured on SQLite, a full `seed_demo --scale 50` took about two
minutes with `bulk_create` and about 31 s with these plain rows (2.3 s and 0.6 s at scale
1). Rows here are lists of column values, adapted with the backend's own conversions and
sent to the cursor's `executemany`, BATCH_SIZE rows per call.

The price is that the writer hands out primary keys itself, from MAX(pk) + 1 read when a
table is opened, and resets the backend's sequence when it closes (as `loaddata` does).
So it must not run while anything else writes to the marketplace tables: a concurrent
insert would take the same keys, or the reset would move the sequence under it.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

#: Rows per INSERT batch (executemany call).
BATCH_SIZE = 2000

_REQUIRED = object()


def _static_default(f: models.Field) -> Any:
    """What a column gets when rows leave it out, or _REQUIRED: timestamps and callable
    defaults must be given, so that nothing depends on the clock."""
    if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return _REQUIRED
    if f.has_default():
        return _REQUIRED if callable(f.default) else f.default
    if f.null:
        return None
    return "" if f.empty_strings_allowed else _REQUIRED


def _adapter(f: models.Field) -> Callable[[Any], Any] | None:
    """The backend's own conversion for the column types its driver may not take as is."""
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
            return _sqlite_utc_text
        return ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(f, models.DecimalField):
        if type(ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # passes decimals through unchanged, as on every bundled backend
        return partial(
            ops.adapt_decimalfield_value, max_digits=f.max_digits, decimal_places=f.decimal_places
        )
    return None


def _sqlite_utc_text(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC as text), without
    its generic checks, which cost a tenth of the run at scale 50. The demo's datetimes are
    all in UTC; anything else takes the backend's own path."""
    if value.tzinfo is UTC:
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


class _Table:
    """Rows of one model, given positionally in `columns` order, written with `executemany`.

    Values are stored as given, so `auto_now`/`auto_now_add` columns keep the demo's fixed
    timestamps; columns left out get their field's static default, and leaving out one
    without such a default is an error. With `with_pk`, `add` hands out primary keys from
    MAX(pk) + 1, so rows can refer to rows not written yet, and `close` resets the backend's
    sequence as `loaddata` does. Callers flush parents before children: MySQL checks foreign
    keys at once.
    """

    def __init__(self, model: type[models.Model], *columns: str, with_pk: bool = False) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in columns]
        rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        missing = [f.attname for f in rest if _static_default(f) is _REQUIRED]
        if missing:
            raise TypeError(f"{model.__name__}: no value for {missing}")
        self.model, self.width = model, len(columns)
        self.fields = ([meta.pk] if with_pk else []) + given + rest
        self.constants = [_static_default(f) for f in rest]
        self.adapters = [(i, a) for i, f in enumerate(self.fields) if (a := _adapter(f))]
        quote = connection.ops.quote_name
        # Only quoted identifiers from the model's meta and placeholders: no data in the SQL.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        self.next_pk = None
        if with_pk:
            self.next_pk = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.rows: list[list] = []
        self.written = 0

    def add(self, *values: Any) -> int | None:
        """Queue one row; return its primary key when the table hands them out."""
        if len(values) != self.width:
            raise TypeError(f"{self.model.__name__}: {self.width} values expected: {values}")
        pk = self.next_pk
        if pk is None:
            self.rows.append([*values, *self.constants])
        else:
            self.next_pk = pk + 1
            self.rows.append([pk, *values, *self.constants])
        return pk

    def flush(self) -> None:
        for i, adapt in self.adapters:
            for row in self.rows:
                if row[i] is not None:
                    row[i] = adapt(row[i])
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH_SIZE):
                cursor.executemany(self.sql, self.rows[start : start + BATCH_SIZE])
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> int:
        """Write what is queued, fix the sequence, return how many rows were written."""
        self.flush()
        if self.next_pk is not None:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)
        return self.written
