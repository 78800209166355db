"""The one place where marketplace services announce business events (a no-op for now)."""

from typing import Any


def _notify(event: str, **refs: Any) -> None:
    """Announce `event` (dotted lowercase, e.g. "order.placed") with `refs` (ids and primitives).

    Services call this INSIDE their transaction, so a rollback discards the announcement.
    NOTIFICATIONS HOOK: a later issue replaces this body with `notifications.emit(event, **refs)`;
    until then it deliberately does nothing. Do not import `notifications` anywhere else.
    """
    return None
