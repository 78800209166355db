"""The export's writes of import batches on a thread of their own (`PendingStore`): the PENDING
rows of each import Sendsay took, then its outcome once the track ended, so PostgreSQL writes
while the export builds the next batch.

The writes run one after the other in the order they were asked for (an import is settled only
after its rows are written), each on the thread's own connection, which commits it (autocommit).
Only on PostgreSQL outside a transaction: elsewhere, or inside `atomic` (where another
connection would not see the run's uncommitted rows), each is done at once, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from django.db import connection, connections

from ..models import ContactState, ExportRun
from . import store


class PendingStore:
    """Writes import batches as PENDING rows and settles finished imports (`store`), in the
    background; a context manager that waits for every write (and closes the thread's
    connection) when it ends.

    `lowest_unstored` is the smallest user id of a batch not yet written, which the run's
    cursor must not pass."""

    def __init__(self, account, run: ExportRun) -> None:
        self.account, self.run = account, run
        self.pool: ThreadPoolExecutor | None = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="export-store")
        self.unstored: deque[tuple[int, Future]] = deque()

    def submit(self, items: list[store.Item], track_id: str) -> None:
        """Write `items` (in user id order) as PENDING rows of the import `track_id`."""
        future = self._run(store.contacts_store, self.account, self.run, items,
                           ContactState.PENDING, track_id=track_id)
        self.unstored.append((items[0].user_id, future))

    def settle(self, track_id: str, track: dict, size: int,
               needs_confirm: bool | None) -> Future[store.Settled]:
        """`store.import_settle` of a finished import, after the writes asked for before."""
        return self._run(store.import_settle, self.account, track_id, track, size,
                         needs_confirm)

    def _run(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        if self.pool is not None:
            return self.pool.submit(write, *args, **kwargs)
        done: Future = Future()
        done.set_result(write(*args, **kwargs))
        return done

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
            self.unstored.clear()
        finally:
            self.pool.submit(connections.close_all).result()  # after every queued write
            self.pool.shutdown()
