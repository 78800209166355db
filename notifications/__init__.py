"""Notification engine: events, templates, outbox, dispatch and channels.

`emit` is imported lazily so that importing this package does not load models at app-load
time: marketplace services call `notifications.emit(event, **refs)` inside their transaction.
"""

from __future__ import annotations

from typing import Any


def emit(event: str, *, occurrence: str | None = None, **refs: Any) -> list[int]:
    """Write the outbox rows of `event` (see `notifications.services.outbox.emit`)."""
    from .services.outbox import emit as outbox_emit

    return outbox_emit(event, occurrence=occurrence, **refs)
