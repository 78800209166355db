"""Notification engine; `emit` is imported lazily so importing the package loads no models."""

from __future__ import annotations

from typing import Any


def emit(event: str, *, occurrence: str | None = None, **refs: Any) -> list[int]:
    """Write the outbox rows of `event` (see `notifications.services.outbox.emit`) and what it
    changes in Sendsay (see `notifications.sync.record.sync_record`), in the caller's
    transaction."""
    from .services.outbox import emit as outbox_emit
    from .sync.record import sync_record

    ids = outbox_emit(event, occurrence=occurrence, **refs)
    sync_record(event, **refs)
    return ids
