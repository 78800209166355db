"""Processes of the notification benchmark, without Django: the databases, the SMTP sink, the
Sendsay emulator, prefork Celery workers and RSS sampling through /proc. Everything listens on
127.0.0.1 only; every process started here is stopped by its own handle."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.support import PG_URL, ensure_database, free_port, wait_port  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
#: A Redis database of its own, so the benchmark's queues never meet other workers' tasks.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
OURS_DB, POST_OFFICE_DB = "bench_notifications", "bench_post_office"
LOGIN, API_KEY = "bench", "bench-api-key-7f3a91"
SHOP_SENDER, MARKET_SENDER = "shop@bench-shop.ru", "all@bench-market.ru"
BENCH_FERNET_KEY = "YmVuY2gtb25seS1mZXJuZXQta2V5LTAxMjM0NTY3ODk="  # benchmark data only


def db_url(name: str) -> str:
    return PG_URL + name


def django_env(settings: str, database: str, **extra: str) -> dict[str, str]:
    """Environment of every Django process of one run (production-like: DEBUG off,
    persistent database connections)."""
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": database,
        "DATABASE_CONN_MAX_AGE": "60", "CELERY_BROKER_URL": REDIS_URL, "DEBUG": "false",
        # The cache of a deployment with Redis (shared by the emitter and the workers: the
        # engine coalesces delivery tasks; django-post-office does not use it).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", REDIS_URL),
        "SECRET_KEY": "bench-secret-key-" + "x" * 40, "SECRETS_ENCRYPTION_KEY": BENCH_FERNET_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ENV_FILE", None)
    env.update(extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True, timeout=600)


class Proc:
    """A child process with its output in var/bench/<name>.log."""

    def __init__(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = VAR / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env or dict(os.environ),
                                      stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()

    def tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]


def start_sink(port: int, stats: Path) -> Proc:
    proc = Proc("smtp-sink", [PYTHON, "-m", "bench.notifications.sink", "--port", str(port),
                              "--stats", str(stats)], env={**os.environ, "PYTHONPATH": str(ROOT)})
    wait_port(port)
    return proc


def start_emulator(port: int) -> Proc:
    command = [PYTHON, "-m", "sendsay_admin.emulator", "--port", str(port), "--track-step", "0",
               "--account", f"{LOGIN}:{API_KEY}:paid", "--sender", SHOP_SENDER,
               "--sender", MARKET_SENDER]
    proc = Proc("sendsay-emulator", command, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wait_port(port)
    return proc


def start_workers(env: dict[str, str], queue: str, hostname: str, concurrency: int = 2) -> Proc:
    """`celery worker`, prefork with `concurrency` processes, consuming `queue`."""
    command = [
        PYTHON, "-m", "celery", "-A", "sendsay_admin", "worker", "--pool", "prefork",
        "--concurrency", str(concurrency), "--queues", queue, "--hostname", hostname,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]
    return Proc(hostname.split("@")[0], command, env=env)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(text) for text in task.read_text().split()]
    return found


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_stats(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"count": 0, "first": None, "last": None}


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
