"""The one place where marketplace services announce business events to the notification engine."""

from typing import Any

import notifications


def _notify(event: str, **refs: Any) -> list[int]:
    """Announce `event` (dotted lowercase, e.g. "order.placed") with `refs` (ids and primitives).

    Services call this INSIDE their transaction, so a rollback discards the outbox rows it
    writes; `notifications.emit` enqueues delivery only after commit. Returns the outbox ids.
    """
    return notifications.emit(event, **refs)
