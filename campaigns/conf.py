"""Settings of the campaign job, read at call time (never at import) with defaults.

None of them is required: settings.py may define any of these names to override the default.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    #: Recipients claimed and sent per step of the SMTP job (capped so a throttled batch
    #: lasts about `CAMPAIGNS_BATCH_SECONDS`).
    "CAMPAIGNS_BATCH_SIZE": 100,
    "CAMPAIGNS_BATCH_SECONDS": 2.0,
    #: Unthrottled, SENT marks are written every this many messages (one commit each). 1:
    #: each message is marked as it goes, so a killed worker leaves at most one recipient
    #: whose message may or may not have gone (never sent again). N: up to N such recipients
    #: per crash, for about one commit per N messages (see docs/benchmarks.md).
    "CAMPAIGNS_CONFIRM_EVERY": 1,
    #: A job renews its lease at least every third of this; a lease older than this is taken
    #: to belong to a dead worker and the campaign may be claimed by another job.
    "CAMPAIGNS_LEASE_SECONDS": 300,
    #: One task run works this long, then hands over to a fresh task (short tasks, clean
    #: restarts, no task time limit hit).
    "CAMPAIGNS_RUN_SECONDS": 60,
    #: A temporary SMTP refusal (4xx) or a failed connection delays the campaign this long.
    "CAMPAIGNS_RETRY_SECONDS": 60,
    #: Tries of one recipient refused with 4xx before it ends FAILED.
    "CAMPAIGNS_MAX_ATTEMPTS": 3,
    #: Consecutive failed SMTP connections before the campaign ends FAILED.
    "CAMPAIGNS_MAX_CONNECT_FAILURES": 5,
    #: Addresses per member.import call when building a Sendsay list.
    "CAMPAIGNS_SENDSAY_IMPORT_BATCH": 1000,
    "CAMPAIGNS_SENDSAY_TRACK_TIMEOUT": 300.0,
    #: Celery queue of the campaign tasks (None: the default queue).
    "CAMPAIGNS_CELERY_QUEUE": None,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def lease_seconds() -> float:
    return float(get("CAMPAIGNS_LEASE_SECONDS"))


def queue() -> str | None:
    return get("CAMPAIGNS_CELERY_QUEUE") or None
