"""What the export stores about each contact (`ExportedContact`): the rows written when Sendsay
takes a batch, the outcome of a finished import, new source hashes, and the confirmed state read
back from Sendsay."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from sendsay_admin.client import SendsayClient

from .. import uploads
from ..models import ContactState, ExportedContact, ExportRun
from .runs import run_reason

#: Stored contacts that read "unconfirmed" are read again, this many per run (oldest first),
#: so confirmations made through Sendsay's double opt-in letter reach the database.
REREAD_UNCONFIRMED = 500
#: Confirmed states read back per run at most (the rest next run).
READ_BACK_MAX = 50_000


@dataclass(slots=True)
class Item:
    """One contact to upload (`confirmed`: the state known before, or read back by member.set)."""

    user_id: int
    email: str
    triples: list[list[Any]]
    content_hash: str
    source_hash: str
    is_new: bool
    confirmed: bool | None


def parts(items: list, size: int) -> Iterable[list]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def contacts_store(account, run: ExportRun, items: list[Item], state: str, *,
                   track_id: str = "") -> None:
    """Upsert the contacts' rows: what was sent, in which state. One INSERT ... ON CONFLICT
    statement executed for many rows on PostgreSQL and SQLite (`bulk_create`, with a model
    instance per row, costs several times more), `bulk_create` elsewhere."""
    if not items:
        return
    now = timezone.now()
    done, failed = state == ContactState.DONE, state == ContactState.FAILED
    rows = [
        (account.pk, item.user_id, item.email, run.pk,
         "" if failed else item.content_hash, "" if failed else item.source_hash, state,
         track_id, now, done or not item.is_new, item.confirmed,
         now if done and item.confirmed is not None else None)
        for item in items
    ]
    if connection.vendor in ("postgresql", "sqlite"):
        _upsert(rows)
        return
    attnames = [f.attname for f in STORE_FIELDS]
    ExportedContact.objects.bulk_create(
        [ExportedContact(**dict(zip(attnames, row, strict=True))) for row in rows],
        batch_size=1000, update_conflicts=True,
        update_fields=[f.name for f in STORE_FIELDS[2:]])


#: The fields of the rows `_contacts_store` writes, in tuple order.
STORE_FIELDS = [ExportedContact._meta.get_field(name) for name in (
    "account", "user", "email", "run", "content_hash", "source_hash", "state", "track_id",
    "exported_at", "in_sendsay", "confirmed", "confirmed_checked_at")]


#: PostgreSQL types of the columns, for `_upsert`'s rows read from JSON.
COLUMN_TYPES = ("bigint", "bigint", "text", "bigint", "text", "text", "text", "text",
                "timestamptz", "boolean", "boolean", "timestamptz")


def _upsert(rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (account, user) DO UPDATE for many rows. PostgreSQL gets one
    statement over the rows as one JSON parameter (executemany's statement per row cost 80 µs
    a row, column arrays 30 µs to quote in Python), SQLite an executemany in one transaction."""
    ops, table = connection.ops, ExportedContact._meta.db_table
    columns = [f.column for f in STORE_FIELDS]
    quoted = [ops.quote_name(column) for column in columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in quoted[2:])
    conflict = f"ON CONFLICT ({quoted[0]}, {quoted[1]}) DO UPDATE SET {updates}"
    head = f"INSERT INTO {ops.quote_name(table)} ({', '.join(quoted)}) "
    # Only model metadata goes into the text; every value is a parameter.
    if connection.vendor == "postgresql":
        cells = ", ".join(f"(r->>{index})::{kind}" for index, kind in enumerate(COLUMN_TYPES))
        sql = head + f"SELECT {cells} FROM jsonb_array_elements(%s::jsonb) r " + conflict  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(rows, default=_isoformat)])
        return
    sql = head + f"VALUES ({', '.join(['%s'] * len(columns))}) " + conflict
    at = columns.index("exported_at"), columns.index("confirmed_checked_at")
    prepared = [
        tuple(ops.adapt_datetimefield_value(value) if index in at else value
              for index, value in enumerate(row))
        for row in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:  # one commit, not one per row
        cursor.executemany(sql, prepared)


def _isoformat(value: datetime.datetime) -> str:
    return value.isoformat()


def source_hashes_store(pairs: list[tuple[int, str]]) -> None:
    """New source hashes (row id, hash) of contacts whose exported values did not change: one
    UPDATE over the pairs as JSON on PostgreSQL (after `values.VALUES_VERSION` changes, that is
    every contact once), `bulk_update` elsewhere."""
    if pairs and connection.vendor == "postgresql":
        table = connection.ops.quote_name(ExportedContact._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET source_hash = r->>1 "  # noqa: S608 (model metadata only)
                "FROM jsonb_array_elements(%s::jsonb) r WHERE id = (r->>0)::bigint",
                [json.dumps(pairs)])
    elif pairs:
        ExportedContact.objects.bulk_update(
            [ExportedContact(pk=pk, source_hash=source) for pk, source in pairs],
            ["source_hash"], batch_size=500)


def _mark_failed(pks: list[int]) -> None:
    for part in parts(pks, 1000):
        ExportedContact.objects.filter(pk__in=part).update(
            state=ContactState.FAILED, content_hash="", source_hash="", track_id="")


def _mark_done(pending, new_state: bool | None) -> int:
    """Set the still pending rows of a finished import DONE; how many. A new contact gets
    `new_state` (see `import_apply`); a contact already in Sendsay keeps a confirmed state, any
    other is read back (None). `confirmed` comes first: MySQL evaluates SET assignments left to
    right, and it must see the old `in_sendsay`."""
    confirmed = Case(When(confirmed=True, then=Value(True)),
                     When(in_sendsay=False, then=Value(new_state)), default=Value(None))
    return pending.update(confirmed=confirmed, state=ContactState.DONE, in_sendsay=True,
                          track_id="")


def _new_state(needs_confirm: bool | None, outcome: uploads.ImportOutcome,
               new: int) -> bool | None:
    """The confirmed state of the contacts an import created, from its result: without
    newbie.confirm a new contact is confirmed, with it unconfirmed [R]; with newbie.confirm
    that is trusted only when the result says it created exactly our new contacts [I: the
    `created` count], else they are read back (None)."""
    if needs_confirm is False:
        return True
    if needs_confirm and outcome.created is not None and outcome.created == new:
        return False
    return None


@dataclass(slots=True)
class Settled:
    """What settling a finished import changed, for the run's counters (`count`)."""

    uploaded: int
    uploaded_new: int
    failed: int
    #: (address, reason) of the refused rows.
    reasons: list[tuple[str, str]]

    def count(self, run: ExportRun) -> None:
        for email, reason in self.reasons:
            run_reason(run, email, reason)
        run.uploaded += self.uploaded
        run.uploaded_new += self.uploaded_new
        run.failed += self.failed


def import_settle(account, track_id: str, track: dict, size: int,
                  needs_confirm: bool | None) -> Settled:
    """Store the outcome of a finished import: DONE rows, FAILED rows with the reasons.
    Set-based: the refused rows are picked by address, the rest updated at once. Touches no
    run, so it may run on a thread of its own (`PendingStore`)."""
    outcome = uploads.import_outcome(track, size)
    pending = ExportedContact.objects.filter(
        account=account, track_id=track_id, state=ContactState.PENDING)
    refused = {str(item.get("email") or "").lower(): uploads.refusal_reason(item)
               for item in outcome.refusals}
    if outcome.job_error or outcome.unnamed_failures:
        reason = outcome.job_error or _(
            "%(n)s rows refused without a reason; the batch is sent again next run"
        ) % {"n": outcome.unnamed_failures}
        failed = list(pending.values_list("pk", "email"))
        refused = {email.lower(): reason for _pk, email in failed}
    else:
        failed = list(pending.annotate(address=Lower("email")).filter(
            address__in=list(refused)).values_list("pk", "email"))
    _mark_failed([pk for pk, _email in failed])
    new = pending.filter(in_sendsay=False).count()
    return Settled(_mark_done(pending, _new_state(needs_confirm, outcome, new)), new,
                   outcome.failed if not outcome.job_error else len(failed),
                   [(email, refused[email.lower()]) for _pk, email in failed])


def import_apply(account, run: ExportRun, track_id: str, track: dict, size: int,
                 needs_confirm: bool | None) -> None:
    """`import_settle`, counted on `run`."""
    import_settle(account, track_id, track, size, needs_confirm).count(run)


def confirmed_read_back(account, run: ExportRun, client: SendsayClient) -> None:
    """Read the confirmed state of contacts sent without a known one, and of some stored as
    unconfirmed by earlier runs, from Sendsay (member.get in batches)."""
    mine = ExportedContact.objects.filter(account=account, state=ContactState.DONE)
    unknown = mine.filter(confirmed__isnull=True).values_list("email", "pk")
    again = mine.filter(confirmed=False).exclude(run=run).order_by(
        F("confirmed_checked_at").asc(nulls_first=True), "pk").values_list("email", "pk")
    rows = dict(unknown[:READ_BACK_MAX]) | dict(again[:REREAD_UNCONFIRMED])
    if not rows:
        return
    found = uploads.members_confirmed(client, list(rows))
    now = timezone.now()
    for state in (True, False):
        chosen = [rows[email] for email, value in found.items() if value is state]
        for part in parts(chosen, 1000):
            ExportedContact.objects.filter(pk__in=part).update(
                confirmed=state, confirmed_checked_at=now)
    run.confirmed_read += sum(value is not None for value in found.values())
