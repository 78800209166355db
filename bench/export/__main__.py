"""Driver of the contact export benchmark; see the package docstring. `--child` runs one
measured export in this process (the driver starts a fresh process for each measurement, so
its peak RSS is the export's own)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.support import PG_URL, ensure_database, free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "bench_export"
LOGIN, API_KEY = "bench_export", "bench-export-key-5c1e"
BENCH_FERNET_KEY = "YmVuY2gtZXhwb3J0LW9ubHktZmVybmV0LWtleS0wMTI="  # benchmark data only
BUYERS_PER_SCALE = 2000  # demo_seed at scale 1
#: (role, field) mapped to a base field; every other catalogue field gets a custom one.
BASE_FIELDS = {("buyer", "first_name"): "base.firstName", ("buyer", "last_name"): "base.lastName",
               ("buyer", "gender"): "base.gender", ("buyer", "birth_date"): "base.birthDate",
               ("buyer", "phone"): "base.phone", ("buyer", "city"): "base.city"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (0.01 = 1 %%)")
    parser.add_argument("--database-url", default=None,
                        help=f"default {PG_URL}{DATABASE} (created when missing)")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- processes and environment -------------------------------------------------------------


def bench_env(database: str, port: int) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sendsay_admin.settings",
           "DATABASE_URL": database, "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench-export-secret-" + "x" * 40,
           "SECRETS_ENCRYPTION_KEY": BENCH_FERNET_KEY, "SECURE_SSL_REDIRECT": "false",
           "SENDSAY_API_URL": f"http://127.0.0.1:{port}/general/api/v100/json/",
           "SENDSAY_SSEC_URL": f"http://127.0.0.1:{port}/general/ssec/v100/json/",
           "SENDSAY_TIMEOUT": "120", "PYTHONPATH": str(ROOT)}
    env.pop("ENV_FILE", None)
    return env


class Emulator:
    """`python -m sendsay_admin.emulator` with one paid account, as a subprocess."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sendsay_admin.emulator", "--port", str(port),
             "--account", f"{LOGIN}:{API_KEY}:paid"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)

    def rss_mb(self) -> float:
        return _rss_of(self.process.pid)

    def cpu_seconds(self) -> float:
        return _cpu_of(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _cpu_of(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_of(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- inside Django ---------------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def seed(buyers: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    from marketplace.models import BuyerProfile
    from marketplace.services.demo import demo_seed

    call_command("migrate", verbosity=0, interactive=False)
    have = BuyerProfile.objects.count()
    if have == 0:
        started = time.perf_counter()
        demo_seed(scale=buyers / BUYERS_PER_SCALE)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        have = BuyerProfile.objects.count()
    if connection.vendor == "postgresql":  # fresh planner statistics, as autovacuum would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if abs(have - buyers) > buyers * 0.05:
        raise SystemExit(f"the database holds {have} buyers, not about {buyers}: drop it first")
    return have


def account_prepare():
    """The marketplace account on the fresh emulator: checked, every catalogue field mapped."""
    from contacts.models import ExportedContact, ExportRun, ExportSettings
    from sendsay_admin import fields as catalogue
    from sendsay_admin.models import FieldMapping, SendsayAccount
    from sendsay_admin.services import (
        account_save_credentials,
        account_set_enabled,
        connection_check,
        custom_field_create_for,
        field_mapping_save,
    )

    account = SendsayAccount.objects.filter(storefront__isnull=True).first() or SendsayAccount()
    account = account_save_credentials(account=account, login=LOGIN, api_key=API_KEY)
    account_set_enabled(account=account, enabled=True)
    assert connection_check(account=account).ok
    FieldMapping.objects.filter(account=account).delete()
    for item in catalogue.CATALOGUE:
        path = BASE_FIELDS.get((item.role, item.code))
        if path:
            field_mapping_save(account=account, role=item.role, field_code=item.code,
                               sendsay_path=path)
        else:
            custom_field_create_for(account=account, role=item.role, field_code=item.code)
    for model in (ExportedContact, ExportRun, ExportSettings):  # a fresh Sendsay account
        model.objects.filter(account=account).delete()
    vacuum(ExportedContact, ExportRun)
    return account


def vacuum(*models) -> None:
    """VACUUM ANALYZE the tables of `models` on PostgreSQL, as autovacuum would between runs
    (it is off on the benchmark machine's server: the deleted export rows of earlier rounds
    would otherwise bloat the table every later round reads and writes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def change_buyers(share: float, round_no: int) -> int:
    """Change a mapped field (city) of `share` of the buyers, a different set each round."""
    from django.db.models import F

    from contacts.models import ExportedContact
    from marketplace.models import BuyerProfile

    step = round(1 / share)
    changed = BuyerProfile.objects.annotate(slot=F("id") % step).filter(
        slot=round_no % step).update(city=f"Bench city {time.time_ns()}")
    vacuum(BuyerProfile, ExportedContact)
    return changed


def child() -> None:
    """One export of the marketplace account, measured; prints a JSON line."""
    import django

    django.setup()
    from contacts.models import ExportRun, RunTrigger
    from contacts.services import contacts_export
    from sendsay_admin.models import SendsayAccount

    account = SendsayAccount.objects.get(storefront__isnull=True)
    run = ExportRun.objects.create(account=account, trigger=RunTrigger.ADMIN)
    backend = _backend_pid()
    base_rss, samples, done = _rss_of(), [], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            samples.append(_rss_of())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, cpu, db_cpu = time.perf_counter(), _cpu_of(), _cpu_of(backend) if backend else 0
    run = contacts_export(run_id=run.pk)
    seconds, cpu = time.perf_counter() - started, _cpu_of() - cpu
    db_cpu = _cpu_of(backend) - db_cpu if backend else None
    done.set()
    sampler.join()
    print(json.dumps({
        "seconds": seconds, "cpu_seconds": cpu, "db_cpu_seconds": db_cpu,
        "status": run.status, "error": run.error,
        "total": run.total,
        "uploaded": run.uploaded, "skipped": run.skipped_unchanged, "failed": run.failed,
        "imports": run.imports, "member_sets": run.member_sets,
        "confirmed_read": run.confirmed_read, "base_rss_mb": base_rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_quartiles_mb": _quartiles(samples),
    }), flush=True)


def _backend_pid() -> int | None:
    """The PostgreSQL server process of this connection (its CPU is read from /proc)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if os.path.exists(f"/proc/{pid}/stat") else None


def _quartiles(samples: list[float]) -> list[float]:
    if not samples:
        return []
    return [round(samples[min(len(samples) - 1, len(samples) * q // 4)], 1) for q in range(5)]


# -- the driver ------------------------------------------------------------------------------


class Backends:
    """CPU seconds of the PostgreSQL server processes serving `database` (found by their process
    title), sampled from /proc every `interval` seconds while a measurement runs, from this
    process: the export opens a connection of its own to write in the background, which ends
    before the export does (what it spends after its last sample is missed)."""

    def __init__(self, database: str, interval: float = 0.25) -> None:
        self.title = f" {database} ".encode()
        self.start = {pid: _cpu_of(pid) for pid in self._pids()}
        self.last, self.interval, self.done = dict(self.start), interval, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pids(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    title = cmdline.read()
            except (OSError, ValueError):
                continue
            if title.startswith(b"postgres: ") and self.title in title:
                pids.append(int(entry))
        return pids

    def _run(self) -> None:
        while not self.done.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        for pid in self._pids():
            try:
                self.last[pid] = _cpu_of(pid)
            except (OSError, ValueError):
                continue

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        self._sample()
        return sum(cpu - self.start.get(pid, 0) for pid, cpu in self.last.items())


def measure(env: dict[str, str], emulator: Emulator) -> dict:
    load, emulator_cpu = os.getloadavg()[0], emulator.cpu_seconds()
    backends = Backends(env["DATABASE_URL"].rsplit("/", 1)[1])
    output = subprocess.run([sys.executable, "-m", "bench.export", "--child"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=1800)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    # The PostgreSQL CPU of every backend of the database; the child's own connection's alone
    # stays as `db_main_cpu_seconds`.
    result["db_main_cpu_seconds"], result["db_cpu_seconds"] = result["db_cpu_seconds"], (
        backends.stop())
    result |= {"load_before": load, "load_after": os.getloadavg()[0],
               "emulator_rss_mb": emulator.rss_mb(),
               "emulator_cpu_seconds": emulator.cpu_seconds() - emulator_cpu}
    if result["status"] != "finished":
        raise SystemExit(f"export ended {result['status']}: {result['error']}")
    return result


def machine() -> dict:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                    if line.startswith("model name")), platform.processor())
    with open("/proc/meminfo") as meminfo:
        memory = int(meminfo.readline().split()[1]) / 2**20
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "system": platform.platform()}


def report(rounds: dict[str, list[dict]], contacts: int) -> None:
    print(json.dumps({"machine": machine(), "contacts": contacts, "rounds": rounds}, indent=1))
    print("\n| run | wall s, median (each) | contacts checked/s | uploaded | export CPU s "
          "| PostgreSQL CPU s | emulator CPU s | peak RSS MB | load 1 min before |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, results in rounds.items():
        def median(key: str, results=results) -> float:
            return statistics.median(r[key] or 0 for r in results)

        each = ", ".join(f"{r['seconds']:.2f}" for r in results)
        loads = ", ".join(f"{r['load_before']:.1f}" for r in results)
        print(f"| {name} | {median('seconds'):.2f} ({each}) "
              f"| {contacts / median('seconds'):,.0f} | {results[0]['uploaded']:,} "
              f"| {median('cpu_seconds'):.2f} | {median('db_cpu_seconds') or 0:.2f} "
              f"| {median('emulator_cpu_seconds'):.2f} "
              f"| {median('peak_rss_mb'):.0f} | {loads} |")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        return child()
    port = free_port()
    env = bench_env(args.database_url or ensure_database(DATABASE), port)
    django_setup(env)
    buyers = seed(args.buyers)
    if args.seed_only:
        return None
    from contacts.selectors import contacts_count

    rounds: dict[str, list[dict]] = {"full": [], "incremental": [], "unchanged": []}
    contacts = 0
    for round_no in range(args.repeat):
        emulator = Emulator(port)
        try:
            account = account_prepare()
            contacts = contacts_count(account)
            rounds["full"].append(measure(env, emulator))
            changed = change_buyers(args.changed, round_no)
            rounds["incremental"].append(measure(env, emulator) | {"changed": changed})
            rounds["unchanged"].append(measure(env, emulator))
        finally:
            emulator.stop()
        print(f"round {round_no + 1}: " + ", ".join(
            f"{name} {results[-1]['seconds']:.2f} s" for name, results in rounds.items()),
            flush=True)
    print(f"{buyers} buyers, {contacts} contacts")
    report(rounds, contacts)
    return None


if __name__ == "__main__":
    main()
