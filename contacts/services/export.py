"""The export run: stream, in user id order, the account's contacts whose source hash differs
from the stored one (`changes`: the database compares, unchanged contacts never reach Python;
chunks of `selectors.CHUNK_SIZE` rows), read those in full, upload the ones whose values changed
to the company's list in member.import batches (member.set for a few), within the upload budget,
read the confirmed state back, and remove contacts that no longer belong (`removals`): deleted
users' members before the stream, and contacts that left the scope as the stream passes their
user id (a stored row without a contact, which the stream returns too).

Budget: a new contact costs an upload. When the budget cannot take them all, the ones that go
first are chosen before the stream starts (`selectors.first_new_contacts`, at most `remaining`
ids); the others are held back and counted. Contacts already in Sendsay are always updated.

Durability: an import's contacts are stored as PENDING with its track id as soon as Sendsay
took the batch, and DONE when the track ends (both on PostgreSQL by a thread of its own,
`PendingStore`, in that order, while the next batch is built; the run ends once they are
written). A batch refused by Sendsay is stored FAILED with cleared hashes, so the
next run sends it again. The cursor (the user id before the first contact not yet stored,
buffered or being written) is saved with the progress, so a run that fails (Sendsay 5xx, dropped
connection, a killed worker) is resumed after it by the next run, which first settles the tracks
the failed run left pending. A contact is uploaded once: an unchanged one is skipped by its hash."""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from sendsay_admin import fields as catalogue
from sendsay_admin.client import (
    SendsayAPIError,
    SendsayClient,
    SendsayConfigurationError,
    SendsayError,
    SendsayValidationError,
)
from sendsay_admin.crypto import SecretDecryptError
from sendsay_admin.gc_pacing import fewer_collections
from sendsay_admin.services import (
    AccountNotConfiguredError,
    client_for_account,
    error_record,
    mapping_specs,
)

from .. import changes, selectors, uploads, values
from ..exceptions import ExportNotPossibleError
from ..models import ContactState, ExportedContact, ExportRun, RunStatus
from . import store
from .budget import budget_refresh, budget_status, budget_warns
from .lists import list_ensure
from .pending import PendingStore
from .removals import departed_remove, unlist, unlist_addresses
from .runs import export_settings_for, resume_point, run_finish, run_reason, run_save, run_start

logger = logging.getLogger(__name__)

#: Contacts per member.import call.
BATCH_SIZE = 5000
#: Fewer contacts than this at the end of a run go one by one with member.set.
SMALL_BATCH = 20
#: Imports waiting for their track before the run waits for the oldest.
MAX_INFLIGHT = 3
#: How long one import may take in Sendsay before the run fails (and is resumed later).
TRACK_TIMEOUT = 600.0
#: Error ids that refuse one contact, not the run.
CONTACT_ERROR_PREFIXES = ("error/member/", "error/email/", "error/anketa/")


@dataclass(frozen=True)
class Inflight:
    """An import Sendsay took; `future` polls its track in a background thread, so the
    database work of the next batches overlaps Sendsay's work on this one."""

    track_id: str
    size: int
    needs_confirm: bool
    future: Future


def contacts_export(*, run_id: int) -> ExportRun:
    """Run the queued export `run_id` (see the module docstring).

    Stores everything on the run: status finished, stopped_budget (new contacts were held back
    by the upload budget) or failed (with the error and the cursor to resume after), counts,
    progress and budget. Sendsay errors are also recorded in the account's error log; they and
    `ExportNotPossibleError` end the run as failed and are not raised. A run another worker
    already claimed is returned untouched.
    """
    run = ExportRun.objects.select_related("account").get(pk=run_id)
    if not run_start(run):
        return run
    try:
        with fewer_collections():  # a third of the CPU went to the collector
            _Export(run).execute()
    except SendsayError as exc:
        error_record(account=run.account, exc=exc)
        run_finish(run, RunStatus.FAILED, error=str(exc))
    except ExportNotPossibleError as exc:
        run_finish(run, RunStatus.FAILED, error=str(exc))
    finally:
        if run.status == RunStatus.RUNNING:  # an unexpected error: never stay running
            run_finish(run, RunStatus.FAILED, error=_("The export stopped unexpectedly."))
    return run


def _client(account) -> SendsayClient:
    try:
        return client_for_account(account)
    except (AccountNotConfiguredError, SecretDecryptError, SendsayConfigurationError) as exc:
        raise ExportNotPossibleError(str(exc)) from exc


def _contact_error(exc: SendsayAPIError) -> bool:
    return isinstance(exc, SendsayValidationError) or (exc.error_id or "").startswith(
        CONTACT_ERROR_PREFIXES)


class _Export:
    """The state of one run while it executes."""

    def __init__(self, run: ExportRun) -> None:
        self.run, self.account = run, run.account
        self.buffers: dict[bool, list[store.Item]] = {False: [], True: []}
        self.inflight: deque[Inflight] = deque()
        #: Outcomes of finished imports being stored (`PendingStore.settle`), counted in order.
        self.settling: deque[Future[store.Settled]] = deque()
        self.remaining: int | None = None
        self.allowed: set[int] | None = None

    # -- the run -----------------------------------------------------------------------

    def execute(self) -> None:
        run = self.run
        with _client(self.account) as self.client:
            self.settings = export_settings_for(self.account)
            budget_refresh(client=self.client, account=self.account)
            self.group_id = run.list_id = list_ensure(
                client=self.client, account=self.account, settings=self.settings)
            self._settle_earlier()
            previous = resume_point(run)
            run.resumed_from, run.cursor = previous, previous.cursor if previous else None
            after = _after(run.cursor)
            self.plan = _plan(self.account)
            run.total = selectors.contacts_count(self.account, after)
            self._budget_start()
            run_save(run, "list_id", "resumed_from", "cursor", "budget_limit", "budget_source",
                     "budget_used_before")
            departed_remove(client=self.client, run=run)
            self.seen = 0
            with ThreadPoolExecutor(MAX_INFLIGHT + 1, thread_name_prefix="track") as self.pool, \
                    PendingStore(self.account, run) as self.pending:
                try:
                    for rows in _chunks(changes.changes_stream(self.account, self.plan, after)):
                        self._chunk(rows)
                    self._flush(everything=True)
                    self._settle(wait=True)
                except SendsayError:
                    self._settle_quietly()  # count what Sendsay took; the rest stays pending
                    raise
                self._count_settled(wait=True)
            store.confirmed_read_back(self.account, self.run, self.client)
            budget_refresh(client=self.client, account=self.account)
        run.budget_warning = budget_warns(run.budget_limit, run.budget_used_after)
        run_finish(run, RunStatus.STOPPED_BUDGET if run.held_back else RunStatus.FINISHED)

    def _budget_start(self) -> None:
        budget = budget_status(account=self.account, settings=self.settings, fresh=True)
        self.run.budget_limit, self.run.budget_source = budget.limit, budget.source
        self.run.budget_used_before = budget.used
        self.remaining = budget.remaining
        # Short of budget: the new contacts that go first, chosen before the id-ordered stream
        # (not needed when even every contact would fit).
        if self.remaining is not None and self.remaining < self.run.total:
            self.allowed = selectors.first_new_contacts(self.account, self.remaining)

    # -- one chunk of contacts -----------------------------------------------------------

    def _chunk(self, rows: list[changes.Change]) -> None:
        """Handle a chunk of the change stream: take the contacts that left the scope out of
        the list, count the unchanged contacts passed, read the changed ones in full and buffer
        those to upload (a full buffer is sent at once)."""
        run = self.run
        if left := sorted(row.stored[5] for row in rows if row.email is None):
            unlist(client=self.client, run=run, group_id=self.group_id, pks=left)
        changed = [row for row in rows if row.changed]
        seen = rows[-1].seen
        run.skipped_unchanged += seen - self.seen - len(changed)
        run.processed += seen - self.seen
        self.seen = seen
        self._readdressed(changed)
        self._changed(changed)
        # Everything before the first contact still buffered (or being stored) is stored:
        # resume from there.
        buffered = [items[0].user_id for items in self.buffers.values() if items]
        if (unstored := self.pending.lowest_unstored()) is not None:
            buffered.append(unstored)
        run.cursor = {"id": min(buffered) - 1 if buffered else rows[-1].user_id}
        run_save(run, "cursor")
        self._settle(wait=False)

    def _readdressed(self, changed: list[changes.Change]) -> None:
        """Contacts whose e-mail changed: Sendsay keys members by address, so the new one is
        uploaded as a new member, and the old address is taken out of the list here (kept in
        Sendsay, like a contact that left the scope: the address may come back). Repeatable:
        if the run fails before the new address is stored, the next run does it again."""
        old = [row.stored[0] for row in changed
               if row.stored is not None and row.stored[0] != row.email and row.stored[3]
               and row.stored[6] != ContactState.REMOVED]
        if old:
            unlist_addresses(client=self.client, run=self.run, group_id=self.group_id,
                             emails=old)

    def _changed(self, changed: list[changes.Change]) -> None:
        if not changed:
            return
        details = selectors.contact_details(self.account, self.plan,
                                            [row.user_id for row in changed])
        selectors.chunk_aggregates(self.plan, list(details.values()))
        source_only: list[tuple[int, str]] = []
        for row in changed:
            full = details.get(row.user_id)
            if full is None:  # gone since the chunk was read: the next run sees it
                continue
            item = self._compare(full, row.source, row.stored, source_only)
            if item is not None and self._afford(item):
                # Buyers waiting for double opt-in go in imports of their own (newbie.confirm).
                waiting = full["company_id"] is None and not full["bp_confirmed"]
                self.buffers[waiting].append(item)
                if len(self.buffers[waiting]) >= BATCH_SIZE:
                    self._flush()
        store.source_hashes_store(source_only)

    def _compare(self, row, source, stored, source_only) -> store.Item | None:
        """The contact to upload, or None when its exported values did not change (counted;
        its new source hash is stored)."""
        email = row["email"]
        triples = values.contact_triples(self.plan, row)
        content = values.content_hash(email, triples, self.plan.cleared(triples))
        same_address = stored is not None and stored[0] == email
        if same_address and stored[2] == content and stored[3]:
            source_only.append((stored[5], source))
            self.run.skipped_unchanged += 1
            return None
        in_sendsay = same_address and stored[3]
        return store.Item(row["id"], email, triples, content, source, not in_sendsay,
                          stored[4] if in_sendsay else None)

    def _afford(self, item: store.Item) -> bool:
        """A new contact costs one upload: hold it back when the budget is used up, or when
        it is short and the contact is not among those that go first."""
        if not item.is_new or self.remaining is None:
            return True
        if self.remaining <= 0 or (self.allowed is not None and item.user_id not in self.allowed):
            self.run.held_back += 1
            return False
        self.remaining -= 1
        return True

    # -- sending -----------------------------------------------------------------------

    def _flush(self, *, everything: bool = False) -> None:
        """Send the full buffers (`everything`: all): imports of at most `BATCH_SIZE`,
        member.set when only a few contacts are left."""
        for needs_confirm, items in list(self.buffers.items()):
            if not items or (len(items) < BATCH_SIZE and not everything):
                continue
            self.buffers[needs_confirm] = []
            if len(items) < SMALL_BATCH:
                self._member_set(items, needs_confirm)
                continue
            for part in store.parts(items, BATCH_SIZE):
                self._import(part, needs_confirm)

    def _import(self, items: list[store.Item], needs_confirm: bool) -> None:
        track_id = self.client.member_import(
            [self.plan.cells(item.email, item.triples) for item in items], self.plan.caption(),
            addr_type="email", if_exists="overwrite", group_id=self.group_id,
            # Leaving newbie.confirm out keeps a new contact sendable at once [C: 3P note].
            newbie_confirm=True if needs_confirm else None,
        )
        self.run.imports += 1
        self.pending.submit(items, track_id)
        future = self.pool.submit(uploads.track_finish, self.client, track_id,
                                  timeout=TRACK_TIMEOUT)
        self.inflight.append(Inflight(track_id, len(items), needs_confirm, future))
        if len(self.inflight) > MAX_INFLIGHT:
            self._settle(wait=True, keep=MAX_INFLIGHT)

    def _member_set(self, items: list[store.Item], needs_confirm: bool) -> None:
        done: list[store.Item] = []
        failed: list[store.Item] = []
        try:
            for item in items:
                if self._set_one(item, needs_confirm):
                    done.append(item)
                else:
                    failed.append(item)
        finally:
            store.contacts_store(self.account, self.run, done, ContactState.DONE)
            store.contacts_store(self.account, self.run, failed, ContactState.FAILED)

    def _set_one(self, item: store.Item, needs_confirm: bool) -> bool:
        self.run.member_sets += 1
        # A contact already in Sendsay gets its emptied values cleared (an import row clears
        # them with its empty cells).
        clears = [] if item.is_new else self.plan.clearing_triples(item.triples)
        try:
            reply = self.client.member_set(
                item.email,
                datakey=[*item.triples, *clears, [f"-group.{self.group_id}", "set", 1]],
                newbie_confirm=True if needs_confirm else None, if_exists="overwrite",
                return_fresh_obj=True)
        except SendsayAPIError as exc:
            if not _contact_error(exc):
                raise
            self.run.failed += 1
            run_reason(self.run, item.email, f"{exc.error_id}: {exc.explain or ''}".strip(": "))
            return False
        self.run.uploaded += 1
        self.run.uploaded_new += item.is_new
        item.confirmed = uploads.member_confirmed(reply.get("member"))
        return True

    # -- tracks ------------------------------------------------------------------------

    def _settle(self, *, wait: bool, keep: int = 0) -> None:
        """Store the outcome of the imports whose track ended, oldest first, in the background
        (`PendingStore.settle`); with `wait`, wait until at most `keep` are left."""
        while len(self.inflight) > keep:
            head = self.inflight[0]
            if not (wait or head.future.done()):
                break
            track = head.future.result()  # re-raises the poller's SendsayError
            self.inflight.popleft()
            self.settling.append(self.pending.settle(head.track_id, track, head.size,
                                                     head.needs_confirm))
        self._count_settled(wait=False)

    def _count_settled(self, *, wait: bool) -> None:
        """Count the stored outcomes on the run, in order; with `wait`, all of them."""
        while self.settling and (wait or self.settling[0].done()):
            self.settling.popleft().result().count(self.run)

    def _settle_quietly(self) -> None:
        """After a failure: settle what can be, polling once more where the poller failed;
        what still fails stays PENDING for the next run."""
        while self.inflight:
            head = self.inflight.popleft()
            try:
                try:
                    track = head.future.result()
                except SendsayError:
                    track = uploads.track_finish(self.client, head.track_id,
                                                 timeout=TRACK_TIMEOUT)
            except SendsayError as exc:
                logger.info("contacts export %s: import %s left pending (%s)", self.run.pk,
                            head.track_id, exc.error_id)
                continue
            self.settling.append(self.pending.settle(head.track_id, track, head.size,
                                                     head.needs_confirm))
        self._count_settled(wait=True)

    def _settle_earlier(self) -> None:
        """Finish the imports earlier runs left pending (their worker failed or was lost)."""
        pending = ExportedContact.objects.filter(account=self.account,
                                                 state=ContactState.PENDING)
        for track_id in set(pending.values_list("track_id", flat=True)):
            try:
                track = uploads.track_finish(self.client, track_id, timeout=TRACK_TIMEOUT)
            except SendsayAPIError as exc:
                if exc.error_id != "error/track/not_found":
                    raise
                track = {"status": -2, "error": {"id": exc.error_id}}
            store.import_apply(self.account, self.run, track_id, track,
                               pending.filter(track_id=track_id).count(), None)

# -- helpers ---------------------------------------------------------------------------------


def _plan(account) -> values.ExportPlan:
    return values.plan_build(
        mapping_specs(account=account, role=catalogue.BUYER),
        mapping_specs(account=account, role=catalogue.SELLER),
        time_zone=django_settings.TIME_ZONE,
    )


def _after(cursor: dict | None) -> int:
    """The user id a run starts after (the cursor of the run it resumes)."""
    return int(cursor["id"]) if cursor else 0


def _chunks(rows: Iterator[changes.Change]) -> Iterator[list[changes.Change]]:
    while chunk := list(itertools.islice(rows, selectors.CHUNK_SIZE)):
        yield chunk


