"""What every detector shares: the plan (emissions found by set-based queries), sending it
through `notifications.emit` with an occurrence key, and the log that makes the next run
skip what was sent (in SQL, so a run with nothing new costs a few queries)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import OuterRef, Q
from django.utils import timezone

import notifications
from journeys.models import JourneyLog, JourneySettings, Scenario
from marketplace.models import BuyerProfile
from notifications.exceptions import NotificationError

logger = logging.getLogger(__name__)

#: Emissions written per transaction (their outbox rows are enqueued when it commits).
SEND_CHUNK = 200
#: A run that logged at least this many messages refreshes the log's planner statistics.
ANALYZE_AFTER = 500
#: Ids per `IN (...)` list when loading details of candidates (SQLite allows 32,766 params).
ID_CHUNK = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Emission:
    """One message occurrence a detector decided to send: `refs` go to `notifications.emit`
    (ids and JSON primitives); `subject_id` / `subject_at` are logged for the next run."""

    event: str
    user_id: int
    occurrence: str
    refs: dict[str, Any]
    subject_id: int | None = None
    subject_at: datetime | None = None


@dataclass
class DetectorReport:
    """What one run did (what the Celery task logs and the benchmark prints)."""

    detector: str
    enabled: bool = True
    candidates: int = 0
    sent: int = 0
    messages: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        if not self.enabled:
            return f"{self.detector}: switched off"
        return (f"{self.detector}: {self.candidates} candidates, {self.sent} sent "
                f"({self.messages} messages), {len(self.failed)} failed, {self.seconds:.2f} s")


@dataclass(frozen=True)
class Detector:
    """A detector: its scenario and the function planning its emissions."""

    scenario: Scenario
    plan: Callable[[JourneySettings, datetime], list[Emission]]
    description: str


def chunks(items: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def reachable_buyers(prefix: str = "") -> Q:
    """Buyers a message can reach: an active user with an e-mail address. `prefix` is the
    path from the queried model to the user (e.g. "buyer__")."""
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email": ""})


def confirmed_buyers(prefix: str = "") -> Q:
    """Reachable buyers who confirmed the e-mail (marketing goes only to them)."""
    return reachable_buyers(prefix) & Q(**{f"{prefix}buyer_profile__email_confirmed_at__isnull":
                                           False})


def logged(scenario: Scenario, **match: Any):
    """The log rows of `scenario` matching `match` (OuterRef values allowed), for Exists()."""
    return JourneyLog.objects.filter(scenario=scenario, **match)


def log_of_user(scenario: Scenario, **match: Any):
    return logged(scenario, user=OuterRef("user_id"), **match)


def interests_of(profile_ids: Sequence[int]) -> dict[int, set[int]]:
    """The categories of interest of each buyer profile (a query per ID_CHUNK profiles)."""
    through = BuyerProfile.interests.through
    found: dict[int, set[int]] = {}
    for part in chunks(list(profile_ids)):
        rows = through.objects.filter(buyerprofile_id__in=part).values_list(
            "buyerprofile_id", "category_id")
        for profile_id, category_id in rows:
            found.setdefault(profile_id, set()).add(category_id)
    return found


def emissions_send(scenario: Scenario, emissions: Iterable[Emission],
                   report: DetectorReport) -> DetectorReport:
    """Emit each emission with its occurrence key and log it, SEND_CHUNK per transaction.

    Emitting an occurrence twice writes nothing the second time (the engine's unique key), and
    the log makes the next run's queries skip it. An emission the engine refuses (a
    `NotificationError`: a missing template variable, a vanished buyer) is rolled back alone,
    reported and retried by the next run.
    """
    batch: list[Emission] = list(emissions)
    for part in chunks(batch, SEND_CHUNK):
        with transaction.atomic():
            rows = [_send_one(scenario, emission, report) for emission in part]
            JourneyLog.objects.bulk_create([row for row in rows if row], ignore_conflicts=True)
    if report.sent >= ANALYZE_AFTER:
        _statistics_refresh()
    return report


def _statistics_refresh() -> None:
    """After a big run, refresh PostgreSQL's statistics of the log at once. Until autovacuum
    gets to it, the planner believes the log is as small as before and joins every candidate
    against all of it: measured 44 s instead of 0.9 s for a run right after 50,000 rows were
    logged. Other databases need nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {JourneyLog._meta.db_table}")


def _send_one(scenario: Scenario, emission: Emission, report: DetectorReport):
    try:
        with transaction.atomic():
            ids = notifications.emit(emission.event, occurrence=emission.occurrence,
                                     **emission.refs)
    except NotificationError as exc:
        logger.warning("journey %s: %s not sent: %s", scenario, emission.occurrence, exc)
        report.failed.append(f"{emission.occurrence}: {exc}")
        return None
    report.sent += 1
    report.messages += len(ids)
    return JourneyLog(
        scenario=scenario, user_id=emission.user_id, subject_id=emission.subject_id,
        subject_at=emission.subject_at, occurrence=emission.occurrence, messages=len(ids),
        created_at=timezone.now(),
    )


def detector_execute(name: str, detector: Detector, *, now: datetime | None = None,
                     settings: JourneySettings | None = None) -> DetectorReport:
    """Plan and send one detector's run (see `journeys.detectors.detector_run`)."""
    started = time.perf_counter()
    settings = settings or JourneySettings.load()
    report = DetectorReport(detector=name)
    if not settings.enabled(detector.scenario):
        report.enabled = False
        return report
    emissions = detector.plan(settings, now or timezone.now())
    report.candidates = len(emissions)
    emissions_send(detector.scenario, emissions, report)
    report.seconds = time.perf_counter() - started
    logger.info("%s", report)
    return report
