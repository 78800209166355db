"""Storing the PENDING rows of the imports Sendsay took on a thread of its own (`PendingStore`),
so PostgreSQL writes one batch while the export builds the next.

The rows are written in the order the imports were taken, each batch in one statement on the
thread's own connection, which commits it (autocommit). Only on PostgreSQL outside a transaction:
elsewhere, or inside `atomic` (where another connection would not see the run's uncommitted
rows), each batch is written at once, as before.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from django.db import connection, connections

from ..models import ContactState, ExportRun
from . import store


class PendingStore:
    """Writes import batches as PENDING rows in the background; a context manager that waits
    for every write (and closes the thread's connection) when it ends.

    `submit` returns the write's future (`result()` waits for it and raises its error);
    `lowest_unstored` is the smallest user id of a batch not yet written, which the run's
    cursor must not pass."""

    def __init__(self, account, run: ExportRun) -> None:
        self.account, self.run = account, run
        self.pool: ThreadPoolExecutor | None = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="export-store")
        self.unstored: deque[tuple[int, Future]] = deque()

    def submit(self, items: list[store.Item], track_id: str) -> Future:
        """Write `items` (in user id order) as PENDING rows of the import `track_id`."""
        if self.pool is None:
            done: Future = Future()
            self._write(items, track_id)
            done.set_result(None)
            return done
        future = self.pool.submit(self._write, items, track_id)
        self.unstored.append((items[0].user_id, future))
        return future

    def _write(self, items: list[store.Item], track_id: str) -> None:
        store.contacts_store(self.account, self.run, items, ContactState.PENDING,
                             track_id=track_id)

    def lowest_unstored(self) -> int | None:
        """The first user id of the oldest batch still being written (a failed write raises
        here), or None when every batch is written."""
        while self.unstored and self.unstored[0][1].done():
            self.unstored.popleft()[1].result()
        return self.unstored[0][0] if self.unstored else None

    def __enter__(self) -> PendingStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.pool is None:
            return
        try:
            for _user_id, future in self.unstored:
                if kind is None:
                    future.result()  # a failed write fails the run
                else:
                    future.exception()  # already failing: wait, keep the first error
            self.unstored.clear()
        finally:
            self.pool.submit(connections.close_all).result()
            self.pool.shutdown()
