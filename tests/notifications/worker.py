"""A real Celery worker process this test can kill (tests.workers.celery_worker cannot)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.workers import ROOT, require_broker, test_database_url


class Worker:
    def __init__(self, queue: str, env: dict[str, str]) -> None:
        self.queue = queue
        self.log = Path(ROOT / "var" / f"{queue}-{os.getpid()}-{id(self)}.log")
        command = [
            sys.executable, "-m", "celery", "-A", "sendsay_admin", "worker",
            "--queues", queue, "--hostname", f"{queue}-{id(self)}@%h", "--concurrency", "1",
            "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ]
        self._log_file = self.log.open("w+b")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log_file,
                                        stderr=subprocess.STDOUT)

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no ack, whatever it was doing is left half done."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()
        self.log.unlink(missing_ok=True)


@contextmanager
def workers(queue: str, extra_env: dict[str, str]) -> Iterator[callable]:
    """Yield a function starting a worker on `queue`; every worker is stopped at the end."""
    require_broker()
    env = {**os.environ, "DATABASE_URL": test_database_url(), **extra_env}
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue, env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
