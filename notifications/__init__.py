"""Notification engine; `emit` is imported lazily so importing the package loads no models."""

from __future__ import annotations

from typing import Any


def emit(event: str, *, occurrence: str | None = None, **refs: Any) -> list[int]:
    """Write the outbox rows of `event` (see `notifications.services.outbox.emit`)."""
    from .services.outbox import emit as outbox_emit

    return outbox_emit(event, occurrence=occurrence, **refs)
