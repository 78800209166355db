"""The export's change stream: the database compares each contact's source hash with the stored
export state, so only the rows that need work reach Python (`changes_stream`).

The source hash is one the database computes (`_hash`) over the plan's signature, the address,
the profile ids, the row columns the mapped fields read (`row_hash`) and the aggregates they read
(orders count / sum / last date, interests, products and sales counts; grouped queries joined
to the contacts). An unchanged contact costs the database a hash and a join, Python nothing.
Needs window functions: PostgreSQL 14+ (`hash_record_extended`), SQLite 3.39+ (FULL OUTER JOIN),
MariaDB 10.2+ / MySQL 8 (the full join as a LEFT JOIN and a NOT IN, one after the other).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    F,
    Func,
    Max,
    QuerySet,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import MD5, Cast, Concat

from marketplace.models import BuyerProfile, Category, Order, OrderStatus, Product
from sendsay_admin.models import SendsayAccount

from .models import ContactState, ExportedContact
from .selectors import ROW_FIELDS, SEPARATOR, contacts_queryset
from .values import AGGREGATES, ExportPlan

#: Rows fetched from the server-side cursor at a time.
FETCH_SIZE = 2000
#: Session settings of the stream's query on PostgreSQL (`_planner_settings`).
PG_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "work_mem": "64MB"}
#: The stored columns a change carries, in `Change.stored` order.
STORED = ("email", "source_hash", "content_hash", "in_sendsay", "confirmed", "id", "state")


class _Joined(Aggregate):
    """Texts joined with commas in scan order (an order that differs only makes a contact look
    changed, which the content hash then settles)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="STRING_AGG(%(expressions)s, ',')",
                           **extra_context)


def _text(expression):
    return Cast(expression, TextField())


def _aggregates(after: int) -> dict[str, tuple[str, QuerySet]]:
    """The aggregate keys (`values.AGGREGATES`): the contact column each is joined on and the
    grouped query (`k`, `v` as text) it is read from."""
    orders = Order.objects.exclude(status=OrderStatus.CANCELLED).order_by()
    summary = _hash([Count("id"), Sum("total"), Max("created_at")])
    interests = BuyerProfile.interests.through.objects.order_by()  # ids: see `_categories`
    products = Product.objects.filter(is_active=True).order_by()
    return {
        "orders_hash": ("id", _grouped(orders.filter(buyer_id__gt=after), "buyer_id", summary)),
        "interests": ("bp_id", _grouped(interests, "buyerprofile_id",
                                        _Joined(_text("category_id")))),
        "products_count": ("company_id", _grouped(products, "company_id", _text(Count("id")))),
        "sales_count": ("company_id", _grouped(orders, "company_id", _text(Count("id")))),
    }


def _grouped(qs: QuerySet, key: str, value) -> QuerySet:
    return qs.annotate(k=F(key)).values("k").annotate(v=value).values("k", "v")


def _categories() -> str:
    """A digest of every category's slug: interests are hashed as category ids, so a renamed
    slug (what is exported) changes the source hash of every contact through this."""
    slugs = list(Category.objects.order_by("pk").values_list("pk", "slug"))
    return hashlib.md5(repr(slugs).encode(), usedforsecurity=False).hexdigest()


def row_hash(plan: ExportPlan):
    """An expression hashing, in the database, the mapping (`plan.signature`), the category
    slugs when interests are mapped, the address, the profile ids and the row columns the
    mapped fields read (`_hash`)."""
    sources = {"email": F("email"), **ROW_FIELDS}
    salt = _categories() if "interests" in plan.source_keys else ""
    return _hash([Cast(Value(plan.signature + salt), TextField()), *(
        sources.get(key, F(key)) for key in plan.source_keys if key not in AGGREGATES)])


def _hash(parts: list):
    """A hash of `parts` as text. PostgreSQL hashes them as one record
    (`hash_record_extended`: each value's binary hash, about a quarter of the cost of MD5 over
    their text; a PostgreSQL upgrade that changed hash functions would make every contact look
    changed once); elsewhere MD5 of their text, separated."""
    if connection.vendor == "postgresql":
        return Func(*parts, template="hash_record_extended(ROW(%(expressions)s), 0)::text",
                    output_field=TextField())
    separated = [parts[0]]
    for part in parts[1:]:
        separated += [Value(SEPARATOR), _text(part)]
    return MD5(_concat(separated))


def _sources(account: SendsayAccount, plan: ExportPlan, after: int) -> tuple[str, list]:
    """SQL of the contacts above `after` with their source hash (`id`, `email`, `source`) and
    their position (`seen`, `next_id`: None for the last one): the row hash and the aggregates
    the plan reads, joined from grouped queries (one pass over each table, not one subquery a
    contact)."""
    contacts = contacts_queryset(account).filter(pk__gt=after).order_by().values(
        "id", "email", bp_id=ROW_FIELDS["bp_id"], company_id=ROW_FIELDS["company_id"],
        row_hash=row_hash(plan))
    sql, params = contacts.query.sql_with_params()
    # Only model metadata and compiled querysets go into the text; values are parameters.
    joins, values, aggregates = [], [], _aggregates(after)
    for index, key in enumerate(k for k in plan.source_keys if k in AGGREGATES):
        column, grouped = aggregates[key]
        grouped_sql, grouped_params = grouped.query.sql_with_params()
        joins.append(f"LEFT JOIN ({grouped_sql}) a{index} ON a{index}.k = c.{column}")
        values.append(f"a{index}.v")
        params = (*params, *grouped_params)
    if connection.vendor == "postgresql":  # see `_hash`
        source, separators = f"hash_record_extended(ROW(c.row_hash, {', '.join(values)}), 0)", []
        source = f"{source}::text" if values else "c.row_hash"
    else:
        source = _concat_sql(["c.row_hash", *(f"%s, COALESCE({v}, '')" for v in values)])
        source, separators = f"MD5({source})", [SEPARATOR] * len(values)
    # The hashes are computed first and the window sorts the narrow rows: PostgreSQL would
    # otherwise pull the subquery up and sort every joined column (OFFSET 0 keeps it apart).
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = (
        "SELECT s.id, s.email, s.source, ROW_NUMBER() OVER (ORDER BY s.id) AS seen, "  # noqa: S608
        "LEAD(s.id) OVER (ORDER BY s.id) AS next_id "
        f"FROM (SELECT c.id, c.email, {source} AS source FROM ({sql}) c {' '.join(joins)}{fence}) s"
    )
    return sql, [*separators, *params]


def _concat_sql(parts: list[str]) -> str:
    """SQL joining the texts `parts` (each may be a comma-separated list of texts): `||`, or
    CONCAT on MySQL, where `||` means OR."""
    if connection.vendor == "mysql":
        return f"CONCAT({', '.join(parts)})"
    return " || ".join(part.replace(", COALESCE", " || COALESCE") for part in parts)


def _concat(parts: list):
    """`Concat` as a balanced tree: Django nests pairs one in the other, which at this many
    parts overflows SQLite's parser."""
    if len(parts) <= 4:
        return Concat(*parts, output_field=TextField())
    middle = len(parts) // 2
    return Concat(_concat(parts[:middle]), _concat(parts[middle:]), output_field=TextField())


@contextmanager
def _planner_settings() -> Iterator[None]:
    """PostgreSQL settings for the stream's query, restored after it: no JIT (compiling its
    many expressions cost more than it saved), no parallel workers (each built every grouped
    table again) and room to hash the grouped tables in memory."""
    if connection.vendor != "postgresql":
        yield
        return
    names = list(PG_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
        before = cursor.fetchone()
        _configure(cursor, zip(names, PG_SETTINGS.values(), strict=True))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _configure(cursor, zip(names, before, strict=True))


def _configure(cursor, settings) -> None:
    pairs = list(settings)
    cursor.execute(f"SELECT {', '.join(['set_config(%s, %s, false)'] * len(pairs))}",
                   [item for pair in pairs for item in pair])


@dataclass(frozen=True, slots=True)
class Change:
    """A row of the stream: a contact whose stored state differs (`changed`), the last contact
    (`changed` or not: it tells how many contacts were passed), or a stored row whose user is
    no longer a contact (`email` None: it left the scope).

    `seen` counts the contacts up to this one; `stored` is the stored row (see `STORED`)."""

    user_id: int
    email: str | None
    source: str | None
    seen: int
    stored: tuple | None

    @property
    def changed(self) -> bool:
        stored = self.stored
        return self.email is not None and (
            stored is None or stored[0] != self.email or stored[1] != self.source)


def changes_stream(account: SendsayAccount, plan: ExportPlan, after: int = 0) -> Iterator[Change]:
    """In user id order, above `after`: the contacts that are new or changed (address or
    source hash), the last contact, and the stored rows (not yet REMOVED) of users that are no
    longer contacts. One query, read from a server-side cursor."""
    stored = ExportedContact.objects.filter(account=account, user_id__gt=after).order_by()
    stored = stored.values("user_id", *STORED)
    contacts_sql, contacts_params = _sources(account, plan, after)
    stored_sql, stored_params = stored.query.sql_with_params()
    columns = ", ".join(f"e.{connection.ops.quote_name(name)}" for name in STORED)
    changed = ("c.next_id IS NULL OR e.user_id IS NULL OR e.email <> c.email "
               "OR e.source_hash <> c.source")
    # Only model metadata and compiled querysets go into the text; values are parameters.
    if connection.vendor != "mysql":
        sql = (
            f"SELECT COALESCE(c.id, e.user_id), c.email, c.source, c.seen, e.user_id, {columns} "  # noqa: S608
            f"FROM ({contacts_sql}) c FULL OUTER JOIN ({stored_sql}) e ON e.user_id = c.id "
            f"WHERE (c.id IS NULL AND e.state <> %s) OR (c.id IS NOT NULL AND ({changed})) "
            "ORDER BY 1"
        )
        params = [*contacts_params, *stored_params, ContactState.REMOVED]
    else:  # MySQL / MariaDB: the two sides of the full join, one after the other
        ids_sql, ids_params = contacts_queryset(account).filter(pk__gt=after).order_by(
        ).values("id").query.sql_with_params()
        sql = (
            f"SELECT c.id, c.email, c.source, c.seen, e.user_id, {columns} "  # noqa: S608
            f"FROM ({contacts_sql}) c LEFT JOIN ({stored_sql}) e ON e.user_id = c.id "
            f"WHERE {changed} "
            f"UNION ALL SELECT e.user_id, NULL, NULL, NULL, e.user_id, {columns} "
            f"FROM ({stored_sql}) e WHERE e.state <> %s AND e.user_id NOT IN ({ids_sql}) "
            "ORDER BY 1"
        )
        params = [*contacts_params, *stored_params, *stored_params, ContactState.REMOVED,
                  *ids_params]
    with connection.chunked_cursor() as cursor:
        with _planner_settings():  # the cursor holds its rows once declared (autocommit)
            cursor.execute(sql, params)
        seen = 0
        while rows := cursor.fetchmany(FETCH_SIZE):
            for user_id, email, source, position, stored_user, *state in rows:
                seen = position or seen
                if stored_user is not None:  # booleans are integers on SQLite
                    state[3], state[4] = bool(state[3]), None if state[4] is None else bool(
                        state[4])
                yield Change(user_id, email, source, seen,
                             tuple(state) if stored_user is not None else None)
