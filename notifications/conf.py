"""Settings of the notification engine, read at call time (never at import) with defaults."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "NOTIFICATIONS_MAX_ATTEMPTS": 8,
    "NOTIFICATIONS_RETRY_BASE_SECONDS": 30,
    "NOTIFICATIONS_RETRY_MAX_SECONDS": 900,
    "NOTIFICATIONS_BATCH_SIZE": 100,
    "NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS": 600,
    "NOTIFICATIONS_SWEEP_GRACE_SECONDS": 60,
    "NOTIFICATIONS_SWEEP_LIMIT": 10_000,
    "NOTIFICATIONS_CELERY_QUEUE": None,
    "NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE_DAYS": 90,
    "NOTIFICATIONS_COALESCE_TASKS": False,
    "NOTIFICATIONS_WAITING_TASKS": 4,
}


def get(name: str):
    """The setting `name`, or its default from `DEFAULTS`."""
    return getattr(settings, name, DEFAULTS[name])


def max_attempts() -> int:
    return int(get("NOTIFICATIONS_MAX_ATTEMPTS"))


def batch_size() -> int:
    return max(1, min(int(get("NOTIFICATIONS_BATCH_SIZE")), 100))


def queue() -> str | None:
    return get("NOTIFICATIONS_CELERY_QUEUE") or None


def waiting_tasks() -> int:
    """Coalesced delivery tasks that may wait in the queue at once (`services.wakeups`)."""
    return max(1, int(get("NOTIFICATIONS_WAITING_TASKS")))
