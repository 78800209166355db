"""Plain-row INSERTs: many rows of one model from column values, without model instances."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.constants import OnConflict


def rows_insert(model: type[Model], rows: list[dict[str, Any]], *,
                ignore_conflicts: bool = False) -> None:
    """`bulk_create` of `model` rows given as column values by attribute name (every concrete
    field but the primary key), cheaper: a value every row shares (event, times, counters) is
    prepared and sent once, and the statement's text does not grow with the rows. On
    PostgreSQL one INSERT ... SELECT FROM unnest(one array per column that differs);
    elsewhere one `executemany` of a single-row INSERT. (bulk_create builds a model instance
    per row, prepares each value through its field and sends one placeholder per value, which
    psycopg then parses out of the text.) `ignore_conflicts` skips rows that break a unique
    constraint, as with bulk_create."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    shared, varying = {}, []
    for field in fields:
        first = rows[0][field.attname]
        if all(row[field.attname] == first for row in rows):
            shared[field] = field.get_db_prep_save(first, connection)
        else:
            varying.append(field)
    columns = [[field.get_db_prep_save(row[field.attname], connection) for row in rows]
               for field in varying]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = connection.ops.insert_statement(on_conflict=on_conflict)
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and varying:
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in varying)
            select = ", ".join(f"%s::{field.db_type(connection)}" if field in shared
                               else f"u.{quote(field.column)}" for field in fields)
            unnested = ", ".join(quote(field.column) for field in varying)
            params = [shared[field] for field in fields if field in shared] + columns
            # Only quoted names and types from the model and %s placeholders go into the text.
            cursor.execute(f"{head} {table} ({names}) SELECT {select} "  # noqa: S608
                           f"FROM unnest({arrays}) AS u({unnested}) {tail}", params)
            return
        by_field = dict(zip(varying, columns, strict=True))
        values = list(zip(*[by_field[field] if field in by_field else [shared[field]] * len(rows)
                            for field in fields], strict=True))
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"{head} {table} ({names}) VALUES ({placeholders}) {tail}", values)
