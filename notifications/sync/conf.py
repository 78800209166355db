"""Settings of the Sendsay sync, read at call time with defaults (retry and claim settings are
shared with the message outbox, `notifications.conf`)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "NOTIFICATIONS_SYNC_ENABLED": True,
    #: How long a changed contact waits before its member.set, so that a burst of changes
    #: (registration, confirmation, profile edits, an order) becomes one call.
    "NOTIFICATIONS_SYNC_DELAY_SECONDS": 10,
    #: Rows per `sync.deliver` task; also ssec events per POST.
    "NOTIFICATIONS_SYNC_BATCH_SIZE": 100,
    #: Rows one flush hands to workers at most.
    "NOTIFICATIONS_SYNC_FLUSH_LIMIT": 10_000,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def enabled() -> bool:
    return bool(get("NOTIFICATIONS_SYNC_ENABLED"))


def delay_seconds() -> float:
    return max(0.0, float(get("NOTIFICATIONS_SYNC_DELAY_SECONDS")))


def batch_size() -> int:
    return max(1, min(int(get("NOTIFICATIONS_SYNC_BATCH_SIZE")), 500))
