"""fast_timestamps: the same values as Django's own loader, which is back after the block."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection

from contacts.timestamps import fast_timestamps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("fast_timestamps changes nothing on other databases")

TEXTS = ["2024-01-01 10:00:00+00", "2024-02-29 23:59:59.999999+00", "0999-03-15 10:00:00+00",
         "2026-06-01 12:30:00+03", None]


def read(context, text):
    with context(), connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        value = cursor.fetchone()[0]
    return value, getattr(value, "tzinfo", None)


@pytest.mark.parametrize("text", TEXTS)
def test_values_are_those_django_reads(text):
    assert read(fast_timestamps, text) == read(contextlib.nullcontext, text)


def test_texts_it_cannot_parse_fail_as_with_django():
    for context in (contextlib.nullcontext, fast_timestamps):
        with pytest.raises(Exception, match="after year 10K"):
            read(context, "infinity")


def test_django_loader_is_back_after_the_block():
    from psycopg.postgres import types
    from psycopg.pq import Format

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    with pytest.raises(ZeroDivisionError), fast_timestamps():
        assert connection.connection.adapters.get_loader(
            types["timestamptz"].oid, Format.TEXT) is not loader
        1 / 0
    assert connection.connection.adapters.get_loader(
        types["timestamptz"].oid, Format.TEXT) is loader
