"""Driver of the campaign benchmark (see the package docstring). `--child seed|run` is one step
in a fresh Django process; the driver itself never imports Django."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.support import PG_URL, ensure_database, free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
DATABASE = "bench_campaigns"
BENCH_FERNET_KEY = "YmVuY2gtY2FtcGFpZ25zLW9ubHktZmVybmV0LWstMDE="  # benchmark data only
MAIN_SHOP, THROTTLE_SHOP = "bench-shop.ru", "bench-throttle.ru"
HTML = """<html><body style="font-family: sans-serif">
<h1>{{ storefront.name }}: the June sale</h1>
<p>Hello {{ recipient.first_name }},</p>
<p>Everything in the catalogue is 20% off until Sunday. Tea, mugs, teapots and the rest:
see <a href="{{ storefront.url }}sale/">the sale page</a>.</p>
<table>{% for n in "12345" %}<tr><td>Item {{ n }}</td><td>{{ n }}90 RUB</td></tr>
{% endfor %}</table>
<p style="color: #888">You get this because you are a customer of {{ storefront.name }}.
<a href="{{ unsubscribe_url }}">Unsubscribe</a> ·
<a href="{{ preferences_url }}">Preferences</a></p>
</body></html>"""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.campaigns", description=__doc__)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--throttle-rate", type=int, default=100, help="messages/s")
    parser.add_argument("--throttle-recipients", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=100, help="CAMPAIGNS_BATCH_SIZE")
    parser.add_argument("--confirm-every", type=int, default=1, help="CAMPAIGNS_CONFIRM_EVERY")
    parser.add_argument("--database-url", default=None,
                        help=f"default {PG_URL}{DATABASE} (created when missing)")
    parser.add_argument("--settings", default="sendsay_admin.settings")
    parser.add_argument("--child", choices=["seed", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--shop", default=MAIN_SHOP, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- driver ---------------------------------------------------------------------------------

def django_env(args, database: str, smtp_port: int) -> dict[str, str]:
    """Production-like: DEBUG off (no query log), persistent connections, SMTP to the sink,
    no Sendsay account (so campaigns take the SMTP job)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": args.settings, "DATABASE_URL": database,
           "DATABASE_CONN_MAX_AGE": "60", "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench-secret-key-" + "x" * 40, "SECRETS_ENCRYPTION_KEY": BENCH_FERNET_KEY,
           "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
           "CSRF_COOKIE_SECURE": "false", "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
           "SITE_URL": "https://bench-market.ru", "PYTHONPATH": str(ROOT)}
    env.pop("ENV_FILE", None)
    return env


def child(args, env: dict[str, str], step: str, *extra: str) -> dict:
    command = [sys.executable, "-m", "bench.campaigns", "--child", step,
               "--recipients", str(args.recipients),
               "--throttle-recipients", str(args.throttle_recipients),
               "--batch-size", str(args.batch_size), "--confirm-every", str(args.confirm_every),
               *extra]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=3600, check=False)
    if done.returncode:
        raise RuntimeError(f"{step} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Sink:
    def __init__(self, port: int) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        self.stats_path = VAR / f"campaigns-sink-{port}.json"
        self.log = (VAR / "campaigns-sink.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.campaigns.sink", "--port", str(port), "--stats",
             str(self.stats_path)], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        wait_port(port)

    def reset(self) -> None:
        self.proc.send_signal(signal.SIGUSR2)
        time.sleep(0.2)

    def stats(self) -> dict:
        self.stats_path.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGUSR1)
        for _ in range(200):
            if self.stats_path.exists():
                return json.loads(self.stats_path.read_text())
            time.sleep(0.05)
        raise RuntimeError("the sink wrote no statistics")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        self.stats_path.unlink(missing_ok=True)


def gaps_summary(times: list[float]) -> dict:
    gaps = [b - a for a, b in itertools.pairwise(times)]
    if not gaps:
        return {}
    ordered = sorted(gaps)
    return {"achieved_rate": (len(times) - 1) / (times[-1] - times[0]),
            "gap_median_ms": 1000 * statistics.median(gaps),
            "gap_p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
            "gap_max_ms": 1000 * ordered[-1]}


def measure(args, env: dict[str, str], sink: Sink, *extra: str) -> dict:
    sink.reset()
    load = os.getloadavg()
    result = child(args, env, "run", *extra)
    seen = sink.stats()
    result |= {"load_before": [round(x, 2) for x in load],
               "sink_messages": seen["messages"], "sink_distinct": seen["distinct"],
               "sink_duplicates": seen["duplicates"], **gaps_summary(seen["times"])}
    if seen["duplicates"] or seen["messages"] != result["sent"]:
        raise RuntimeError(f"the sink disagrees with the job: {result}")
    return result


def drive(args) -> None:
    database = args.database_url or ensure_database(DATABASE)
    port = free_port()
    env = django_env(args, database, port)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=env, check=True, timeout=900)
    seeded = child(args, env, "seed")
    print(f"seeded: {seeded}", flush=True)
    sink = Sink(port)
    try:
        runs = []
        for number in range(1, args.repeat + 1):
            runs.append(measure(args, env, sink))
            print(f"unthrottled run {number}: {json.dumps(runs[-1])}", flush=True)
        throttled = measure(args, env, sink, "--rate", str(args.throttle_rate),
                            "--shop", THROTTLE_SHOP) if args.throttle_rate else None
        print(f"throttled run: {json.dumps(throttled)}", flush=True)
    finally:
        sink.stop()
    report(args, database, runs, throttled)


def report(args, database: str, runs: list[dict], throttled: dict | None) -> None:
    def med(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    engine = database.split(":", 1)[0]
    print("\n--- for docs/benchmarks.md ---")
    print(f"{platform.python_version()}, {os.cpu_count()} cores, database {engine}, "
          f"batch {args.batch_size}, SENT marks every {args.confirm_every} message(s)")
    if runs:
        rates = ", ".join(f"{r['send_rate']:,.0f}" for r in runs)
        print(f"| unthrottled, {args.recipients:,} recipients | {med('send_rate'):,.0f} "
              f"e-mails/s (runs: {rates}) | listing {med('list_rate'):,.0f} rows/s | load "
              f"before: {'; '.join(str(r['load_before'][0]) for r in runs)} |")
    if throttled is None:
        return
    print(f"| throttled at {args.throttle_rate}/s, {throttled['sent']:,} recipients | "
          f"{throttled['achieved_rate']:.2f}/s at the sink; gap median "
          f"{throttled['gap_median_ms']:.1f} ms, p99 {throttled['gap_p99_ms']:.1f} ms, max "
          f"{throttled['gap_max_ms']:.1f} ms | load before: {throttled['load_before'][0]} |")


# -- children (Django) ------------------------------------------------------------------

def setup_django() -> None:
    import django

    django.setup()


def seed(args) -> dict:
    """Storefronts, segments and buyers (bulk inserts); kept between runs when complete."""
    from django.db import transaction
    from django.utils import timezone

    from audience.models import Role, Segment
    from marketplace.models import BuyerProfile, Storefront, User

    counts = {MAIN_SHOP: args.recipients, THROTTLE_SHOP: args.throttle_recipients}
    result = {}
    for domain, wanted in counts.items():
        shop, _created = Storefront.objects.get_or_create(domain=domain, defaults={
            "name": f"Shop {domain}", "company_name": f"{domain} LLC",
            "company_email": f"hello@{domain}", "admin_email": f"admin@{domain}"})
        segment, _created = Segment.objects.get_or_create(name=f"bench {domain}",
                                                          defaults={"role": Role.BUYER})
        segment.storefronts.set([shop])
        have = BuyerProfile.objects.filter(storefront=shop).count()
        if have != wanted:
            with transaction.atomic():
                User.objects.filter(buyer_profile__storefront=shop).delete()
                prefix = domain.split(".")[0]
                now = timezone.now()
                for start in range(0, wanted, 5000):
                    users = User.objects.bulk_create([
                        User(username=f"{prefix}-{i}", email=f"{prefix}-{i}@bench-mail.ru",
                             first_name=f"Name{i}", last_name="Buyer", password="!")
                        for i in range(start, min(wanted, start + 5000))])
                    BuyerProfile.objects.bulk_create([
                        BuyerProfile(user=user, storefront=shop, email_confirmed_at=now)
                        for user in users])
        result[domain] = wanted
    return result


def run(args) -> dict:
    """One campaign to the shop's segment: list (timed), then the SMTP job (timed)."""
    from django.db.models import Count
    from django.utils import timezone

    from audience.models import Role, Segment
    from campaigns.models import Campaign, CampaignContent, CampaignStatus, RecipientStatus
    from campaigns.services import campaign_run, recipients_materialise
    from marketplace.models import Storefront

    Campaign.objects.filter(name__startswith="bench ").delete()
    shop = Storefront.objects.get(domain=args.shop)
    campaign = Campaign.objects.create(
        name=f"bench {args.shop} {timezone.now():%H:%M:%S}", channel="email", storefront=shop,
        segment=Segment.objects.get(name=f"bench {args.shop}"),
        throttle_rate=args.rate or None, status=CampaignStatus.SENDING,
        started_at=timezone.now())
    CampaignContent.objects.create(
        campaign=campaign, role=Role.BUYER, html=HTML,
        subject="{{ storefront.name }}: 20% off, {{ recipient.first_name }}")
    started = time.perf_counter()
    listed = recipients_materialise(campaign=campaign)
    listed_at = time.perf_counter()
    report = campaign_run(campaign_id=campaign.pk, run_seconds=1e9)
    done = time.perf_counter()
    statuses = dict(campaign.recipients.order_by().values_list("status").annotate(n=Count("pk")))
    sent = statuses.get(RecipientStatus.SENT, 0)
    return {"outcome": report.outcome.kind, "listed": listed, "statuses": statuses,
            "sent": sent, "list_seconds": round(listed_at - started, 3),
            "list_rate": round(listed / (listed_at - started), 1),
            "send_seconds": round(done - listed_at, 3),
            "send_rate": round(sent / (done - listed_at), 1)}


def main() -> None:
    args = parse_args()
    if args.child is None:
        drive(args)
        return
    setup_django()
    from django.conf import settings

    settings.CAMPAIGNS_BATCH_SIZE = args.batch_size
    settings.CAMPAIGNS_CONFIRM_EVERY = args.confirm_every
    result = seed(args) if args.child == "seed" else run(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
