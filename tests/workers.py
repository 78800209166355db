"""Start a real Celery worker process against the test database and the broker in use."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.services import require, url_reachable

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """A DATABASE_URL naming the database this test run uses (pytest-django's test DB)."""
    params = connection.settings_dict
    engine = params["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"sqlite:///{params['NAME']}"
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[engine]
    auth = params["USER"] or ""
    if params.get("PASSWORD"):
        auth += f":{params['PASSWORD']}"
    host = params["HOST"] or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"{scheme}://{auth}{'@' if auth else ''}{host}{port}/{params['NAME']}"


def require_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("filesystem://"):
        require(url_reachable(url), f"Celery broker {url} is not reachable")


@contextmanager
def celery_worker(extra_env: dict[str, str] | None = None, concurrency: int = 1) -> Iterator[str]:
    """Run `celery worker` on a private queue; yield the queue name, stop the worker after."""
    require_broker()
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DATABASE_URL": test_database_url(), **(extra_env or {})}
    command = [
        sys.executable, "-m", "celery", "-A", "sendsay_admin", "worker",
        "--queues", queue, "--hostname", f"{queue}@%h", "--concurrency", str(concurrency),
        "--pool", "prefork" if concurrency > 1 else "solo",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]
    log = open(ROOT / "var" / f"{queue}.log", "w+b")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
