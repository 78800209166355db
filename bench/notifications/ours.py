"""One measurement of the notification engine, in a process of its own (Django configured on
the benchmark database by the environment the driver gives it). Writes its result as JSON.

`python -m bench.notifications.ours --mode drain|live|rate|memory|fanout|queries --path smtp|sendsay
 --messages N --out result.json` (the driver passes the ports and the queue).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.notifications.settings_ours")
django.setup()

import requests  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

import notifications  # noqa: E402
from notifications.models import MessageStatus, OutboxMessage  # noqa: E402

from . import infra, measures, seed, workers  # noqa: E402

MESSAGES_PER_ORDER = 3  # order.placed: buyer, seller and administrators, by e-mail
DONE = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED)


def emulator(args, command: str, **body) -> None:
    url = f"http://127.0.0.1:{args.emulator_port}/_control/{command}"
    requests.post(url, json=body, timeout=10).raise_for_status()


def prepare(args) -> list[int]:
    """Reset outbox and emulator, switch the path, return the orders to emit."""
    seed.outbox_reset()
    seed.sendsay(enabled=args.path == "sendsay")
    emulator(args, "reset")
    if args.latency_ms:
        emulator(args, "fault", mode="latency", latency_ms=args.latency_ms,
                 action="issue.send", login=infra.LOGIN)
    orders = -(-args.messages // MESSAGES_PER_ORDER)
    return seed.orders(orders)


def emit_orders(order_ids: list[int], rate: float = 0.0) -> dict[int, float]:
    """Emit order.placed per order, one transaction each (as `order_place` does); return the
    commit time of every outbox row. `rate` > 0 paces the emitter at that many messages/s."""
    commits: dict[int, float] = {}
    started = time.monotonic()
    for index, order_id in enumerate(order_ids):
        if rate:
            due = started + index * MESSAGES_PER_ORDER / rate
            time.sleep(max(0.0, due - time.monotonic()))
        stamp: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda s=stamp: s.append(time.time()))  # runs before enqueue
            ids = notifications.emit("order.placed", order_id=order_id)
        for pk in ids:
            commits[pk] = stamp[0]
    return commits


def wait_done(total: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = OutboxMessage.objects.filter(status__in=DONE).count()
        if done >= total:
            break
        time.sleep(0.3)
    return done


def delivered() -> dict[int, float]:
    rows = OutboxMessage.objects.filter(status=MessageStatus.SENT).values_list("pk", "sent_at")
    return {pk: sent.timestamp() for pk, sent in rows}


def outcome(commits: dict[int, float], start: float, args, extra: dict) -> dict:
    sent = delivered()
    statuses = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")))
    last = max(sent.values()) if sent else start
    latencies = [sent[pk] - commits[pk] for pk in sent if pk in commits]
    return {
        "path": args.path, "mode": args.mode, "latency_ms": args.latency_ms,
        "messages": len(commits), "sent": len(sent), "statuses": statuses,
        "seconds": last - start, "rate": len(sent) / (last - start) if last > start else 0,
        "latency_p50": infra.percentile(latencies, 0.50),
        "latency_p99": infra.percentile(latencies, 0.99), **extra,
    }


def clone_rows(total: int) -> dict[int, float]:
    """Grow the emitted rows to `total` PENDING rows (copies with new idempotency keys, in
    SQL: emitting 100,000 messages one order at a time would take longer than delivering
    them) and hand them to Celery in chunks; returns every row's commit time."""
    from django.db import connection

    from notifications.services import deliveries_enqueue

    table = OutboxMessage._meta.db_table
    have = OutboxMessage.objects.count()
    copies = max(0, -(-total // have) - 1)
    columns = ("event_id, role, channel, recipient, recipient_user_id, company_id, sender, "
               "language, status, attempts, next_attempt_at, backend, provider_id, error, "
               "created_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, idempotency_key) SELECT {columns}, "
            f"md5(idempotency_key || '-' || n) FROM {table}, generate_series(1, %s) n "
            "ORDER BY n, id", [copies])
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)[:total])
    OutboxMessage.objects.filter(pk__gt=ids[-1]).delete()
    committed = time.time()
    deliveries_enqueue(message_ids=ids)
    return dict.fromkeys(ids, committed)


def run_delivery(args) -> dict:
    if args.mode == "memory":
        args.messages, total = min(args.messages, 3000), args.messages
    order_ids = prepare(args)
    paused = args.mode in ("drain", "memory")
    try:
        with workers.running("bench-ours", os.environ["NOTIFICATIONS_CELERY_QUEUE"],
                             paused=paused) as pool:
            sampler = None
            if args.mode == "memory":
                sampler = workers.RssSampler(pool.proc.pid, progress=sent_count)
                sampler.start()
            emit_started = time.time()
            commits = emit_orders(order_ids, rate=args.rate if args.mode == "rate" else 0.0)
            if args.mode == "memory":
                workers.queue_purge(pool.queue)  # re-enqueued below in chunks of 100
                commits = clone_rows(total)
            emit_seconds = time.time() - emit_started
            extra = {"emit_rate": len(commits) / emit_seconds, "emit_seconds": emit_seconds}
            start = pool.resume() if paused else min(commits.values())
            done = wait_done(len(commits), timeout=args.timeout)
            if sampler is not None:
                extra["rss"] = sampler.finish()
    finally:
        emulator(args, "clear_faults")
    if done < len(commits):
        extra["incomplete"] = f"{done}/{len(commits)} done in {args.timeout:.0f} s"
    return outcome(commits, start, args, extra)


def sent_count() -> int:
    return OutboxMessage.objects.filter(status=MessageStatus.SENT).count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True,
                        choices=["drain", "live", "rate", "memory", "fanout", "queries"])
    parser.add_argument("--path", default="smtp", choices=["smtp", "sendsay"])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--emulator-port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.mode == "fanout":
        result = measures.fanout(recipients=args.recipients)
    elif args.mode == "queries":
        result = measures.queries()
    else:
        result = run_delivery(args)
    args.out.write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
