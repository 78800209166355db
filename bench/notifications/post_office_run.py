"""The django-post-office side, in a process of its own
(DJANGO_SETTINGS_MODULE=bench.notifications.settings_post_office): the same number of e-mails,
the same content as the engine's order.placed letters, to the same SMTP sink, delivered by its
Celery task on two prefork worker processes. Writes its result as JSON.

`python -m bench.notifications.post_office_run --mode drain|live --messages N --stats SINK.json
 --out result.json`
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.notifications.settings_post_office"
django.setup()

from django.db import connection, transaction  # noqa: E402
from post_office import mail  # noqa: E402
from post_office.models import Attachment, Email, EmailTemplate, Log  # noqa: E402

from notifications.rendering import default_source, render  # noqa: E402
from notifications.samples import sample_payload  # noqa: E402

from . import infra, workers  # noqa: E402

ROLES = (("buyer", "shop@bench-shop.ru"), ("seller", "shop@bench-shop.ru"),
         ("admin", "all@bench-market.ru"))


def letters() -> list[dict]:
    """The engine's three order.placed e-mails (rendered once; post-office gets them ready)."""
    payload = sample_payload("order.placed")
    extras = {"site_url": "https://bench-shop.ru", "recipient": {"name": "Anna", "address": ""}}
    result = []
    for role, sender in ROLES:
        rendered = render("order.placed", role, "email", "", "ru", None, payload, extras=extras)
        result.append({"sender": f"Bench Shop <{sender}>", "subject": rendered.subject,
                       "message": rendered.text, "html_message": rendered.html})
    return result


def templated_letters() -> list[dict]:
    """The same three letters as post-office `EmailTemplate`s (the engine's default files, their
    {% extends %}/{% include %} names made absolute) and the payload as context, rendered by
    post-office at delivery (`render_on_delivery`): the work the engine does per message."""
    payload = sample_payload("order.placed")
    context = {**payload, "site_url": "https://bench-shop.ru",
               "recipient": {"name": "Anna", "address": ""}}
    result = []
    for role, sender in ROLES:
        source = {part: text.replace('"ru/', '"notifications/ru/')
                  for part, text in default_source("order.placed", role, "email", "",
                                                   "ru").items()}
        template, _ = EmailTemplate.objects.update_or_create(
            name=f"bench-order-placed-{role}", language="", default_template=None,
            defaults={"subject": source["subject.txt"].strip(), "content": source["txt"],
                      "html_content": source["html"]})
        result.append({"sender": f"Bench Shop <{sender}>", "template": template,
                       "context": context, "render_on_delivery": True})
    return result


def reset() -> None:
    tables = [Log._meta.db_table, Attachment.emails.through._meta.db_table,
              Attachment._meta.db_table, Email._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def queue_mail(count: int, templated: bool = False) -> tuple[float, float]:
    """`send_many` three e-mails per transaction (as one order's letters); returns the first
    commit time and the seconds it took."""
    templates = templated_letters() if templated else letters()
    first: list[float] = []
    started = time.time()
    for index in range(0, count, len(templates)):
        batch = [{**letter, "recipients": [f"buyer{(index + n) % 1000}@bench-mail.ru"]}
                 for n, letter in enumerate(templates[: count - index])]
        with transaction.atomic():
            if not first:
                transaction.on_commit(lambda: first.append(time.time()))
            mail.send_many(batch)
    return first[0], time.time() - started


def wait_sink(stats: Path, target: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    seen = infra.read_stats(stats)
    while seen["count"] < target and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = infra.read_stats(stats)
    time.sleep(0.3)  # the sink writes its numbers every 0.1 s
    return infra.read_stats(stats)


def run(args) -> dict:
    reset()
    queue = os.environ["BENCH_POST_OFFICE_QUEUE"]
    before = infra.read_stats(args.stats)["count"]
    paused = args.mode == "drain"
    with workers.running("bench-po", queue, paused=paused) as pool:
        first_commit, queue_seconds = queue_mail(args.messages, args.templated)
        start = pool.resume() if paused else first_commit
        seen = wait_sink(args.stats, before + args.messages, args.timeout)
    sent = Email.objects.filter(status=0).count()  # post_office.models.STATUS.sent
    delivered = seen["count"] - before
    seconds = (seen["last"] or start) - start
    result = {"path": "post_office_tpl" if args.templated else "post_office", "mode": args.mode,
              "messages": args.messages, "sent": sent, "sink_received": delivered,
              "seconds": seconds,
              "rate": delivered / seconds if seconds > 0 else 0,
              "emit_rate": args.messages / queue_seconds, "emit_seconds": queue_seconds}
    if delivered < args.messages:
        result["incomplete"] = f"{delivered}/{args.messages} received in {args.timeout:.0f} s"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["drain", "live"], required=True)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--templated", action="store_true",
                        help="EmailTemplates rendered at delivery instead of ready bodies")
    args = parser.parse_args()
    args.out.write_text(json.dumps(run(args), default=str))


if __name__ == "__main__":
    main()
