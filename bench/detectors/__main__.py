"""Driver of the detector benchmark; see the package docstring."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench_detectors.sqlite3'}"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/")
PG_DATABASE = "bench_detectors"
BUYERS_PER_SCALE = 2000  # demo_seed at scale 1


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.detectors", description=__doc__)
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true",
                        help=f"use {PG_SERVER}{PG_DATABASE} (created when missing)")
    parser.add_argument("--database-url", default=None, help=f"default {SQLITE_URL}")
    parser.add_argument("--detectors", nargs="*", default=None, help="default: all")
    parser.add_argument("--max-per-run", type=int, default=None,
                        help="override JourneySettings.max_per_run (default: the setting)")
    return parser.parse_args(argv)


def database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return args.database_url
    if not args.postgres:
        return SQLITE_URL
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (PG_DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return PG_SERVER + PG_DATABASE


def django_setup(url: str, broker: str) -> None:
    """Django on `url`; delivery tasks go to a private filesystem broker folder nobody
    consumes (enqueueing is measured, delivering is not), removed at the end."""
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = "filesystem://"
    os.environ["CELERY_BROKER_FOLDER"] = broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendsay_admin.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("journeys").setLevel(logging.WARNING)


def seed(buyers: int) -> None:
    from django.core.management import call_command

    from marketplace.models import BuyerProfile
    from marketplace.services.demo import demo_seed

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    summary = demo_seed(scale=buyers / BUYERS_PER_SCALE)
    if summary.created:
        print(f"seeded in {time.perf_counter() - started:.0f} s: {summary.counts()}")
    print(f"buyers in the database: {BuyerProfile.objects.count():,}")
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics for the planner after seeding
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Run:
    """One detector's measurements (seconds per repetition)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.find: list[float] = []
        self.first: list[float] = []
        self.second: list[float] = []
        self.sent = self.again = self.due = 0

    def per_message_ms(self) -> float:
        if not self.sent:
            return 0.0
        send = statistics.median(self.first) - statistics.median(self.find)
        return 1000 * send / self.sent


def clear_all() -> None:
    """The benchmark database is dedicated: start with no outbox rows and no journey log."""
    from journeys.models import JourneyLog
    from notifications.models import OutboxEvent, OutboxMessage

    JourneyLog.objects.all().delete()
    OutboxMessage.objects.all().delete()
    OutboxEvent.objects.all().delete()


def marks_now() -> dict[str, int]:
    from django.db.models import Max

    from journeys.models import JourneyLog
    from notifications.models import OutboxEvent, OutboxMessage

    def top(model) -> int:
        return model.objects.aggregate(m=Max("pk"))["m"] or 0

    return {"message": top(OutboxMessage), "event": top(OutboxEvent), "log": top(JourneyLog)}


def reset(marks: dict[str, int]) -> None:
    """Delete what runs wrote since `marks` (outbox rows, journey log)."""
    from journeys.models import JourneyLog
    from notifications.models import OutboxEvent, OutboxMessage

    OutboxMessage.objects.filter(pk__gt=marks["message"]).delete()
    OutboxEvent.objects.filter(pk__gt=marks["event"]).delete()
    JourneyLog.objects.filter(pk__gt=marks["log"]).delete()


def drain(name: str, uncapped) -> int:
    """Log everything still due as if later runs had sent it (untimed), so the second run
    measures "nothing new" even when the first was capped by max_per_run."""
    from django.utils import timezone

    from journeys.detectors import DETECTORS, detector_plan
    from journeys.models import JourneyLog

    scenario, now = DETECTORS[name].scenario, timezone.now()
    rows = [JourneyLog(scenario=scenario, user_id=e.user_id, subject_id=e.subject_id,
                       subject_at=e.subject_at, occurrence=e.occurrence, created_at=now)
            for e in detector_plan(name=name, now=now, settings=uncapped)]
    JourneyLog.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    from journeys.detectors.base import _statistics_refresh

    _statistics_refresh()  # what a run that big does itself (and autovacuum soon after)
    return len(rows)


def measure(name: str, repeat: int, settings_row) -> Run:
    from django.utils import timezone

    from journeys.detectors import detector_plan, detector_run

    run, marks = Run(name), marks_now()
    uncapped = type(settings_row).objects.get(pk=settings_row.pk)
    uncapped.max_per_run = 10**9
    run.due = len(detector_plan(name=name, now=timezone.now(), settings=uncapped))
    for _ in range(repeat):
        reset(marks)
        started = time.perf_counter()
        detector_plan(name=name, now=timezone.now())
        run.find.append(time.perf_counter() - started)
        started = time.perf_counter()
        first = detector_run(name=name)
        run.first.append(time.perf_counter() - started)
        drain(name, uncapped)
        started = time.perf_counter()
        second = detector_run(name=name)
        run.second.append(time.perf_counter() - started)
        run.sent, run.again = first.sent, second.sent
        assert not first.failed, first.failed[:3]
    reset(marks)
    return run


def report(runs: list[Run], url: str, buyers: int, cap: int, repeat: int,
           load: tuple[float, float]) -> str:
    engine = "PostgreSQL 15" if url.startswith("postgres") else "SQLite"
    lines = [
        f"{engine}, {buyers:,} buyers (demo_seed scale {buyers / BUYERS_PER_SCALE:g}), "
        f"max_per_run {cap:,}, medians of {repeat} runs, clock at the demo's BASE_TIME, "
        f"load average {load[0]:.1f} before / {load[1]:.1f} after:",
        "",
        "| detector | due | sent by run 1 | find (s) | run 1: find + send (s) "
        "| per message (ms) | run 2, nothing new (s) | sent by run 2 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.due:,} | {run.sent:,} | {statistics.median(run.find):.2f} "
            f"| {statistics.median(run.first):.2f} | {run.per_message_ms():.1f} "
            f"| {statistics.median(run.second):.2f} | {run.again} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    url = database_url(args)
    broker = tempfile.mkdtemp(prefix="bench-detectors-broker-")
    try:
        django_setup(url, broker)
        seed(args.buyers)
        _measure_all(args, url)
    finally:
        shutil.rmtree(broker, ignore_errors=True)


def _measure_all(args: argparse.Namespace, url: str) -> None:
    import time_machine

    from journeys.detectors import DETECTORS
    from journeys.models import JourneySettings
    from marketplace.services.demo import BASE_TIME

    clear_all()
    JourneySettings.objects.all().delete()  # the shipped defaults, unless told otherwise
    settings_row = JourneySettings.load()
    if args.max_per_run:
        settings_row.max_per_run = args.max_per_run
        settings_row.save()
    names = args.detectors or list(DETECTORS)
    runs, before = [], os.getloadavg()[0]
    # The demo world's "now": every demo timestamp lies before BASE_TIME.
    with time_machine.travel(BASE_TIME + timedelta(minutes=5), tick=True):
        for name in names:
            run = measure(name, args.repeat, settings_row)
            print(f"{name}: due {run.due:,}, sent {run.sent:,}, "
                  f"find {statistics.median(run.find):.2f} s, "
                  f"run 1 {statistics.median(run.first):.2f} s, "
                  f"run 2 {statistics.median(run.second):.2f} s (sent {run.again})", flush=True)
            runs.append(run)
    print()
    print(report(runs, url, args.buyers, settings_row.max_per_run, args.repeat,
                 (before, os.getloadavg()[0])))


if __name__ == "__main__":
    main()
