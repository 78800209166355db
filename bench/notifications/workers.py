"""Celery side of one run (Django configured): queues, workers that wait paused, RSS samples."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sendsay_admin.celery import app

from . import infra


def queue_purge(*queues: str) -> None:
    with app.connection_for_write() as conn:
        for queue in queues:
            conn.default_channel.queue_purge(queue)


def _ready(hostname: str, proc: infra.Proc, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"worker died:\n{proc.tail()}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return
    raise RuntimeError(f"worker {hostname} not ready:\n{proc.tail()}")


class Workers:
    """Two prefork processes consuming `queue`, or an idle queue until `resume()` (so a backlog
    can be queued first and its delivery timed alone)."""

    def __init__(self, name: str, queue: str, *, paused: bool) -> None:
        self.queue, self.idle = queue, f"{queue}-idle"
        self.hostname = f"{name}-{uuid.uuid4().hex[:6]}@127.0.0.1"
        queue_purge(queue, self.idle)
        self.proc = infra.start_workers(dict(os.environ), self.idle if paused else queue,
                                        self.hostname)
        _ready(self.hostname, self.proc)

    def resume(self) -> float:
        """Start consuming the real queue; returns the time just before asking."""
        started = time.time()
        app.control.add_consumer(self.queue, destination=[self.hostname], reply=True, timeout=5)
        return started

    def stop(self) -> None:
        self.proc.stop()
        queue_purge(self.queue, self.idle)


@contextmanager
def running(name: str, queue: str, *, paused: bool) -> Iterator[Workers]:
    workers = Workers(name, queue, paused=paused)
    try:
        yield workers
    finally:
        workers.stop()


class RssSampler(threading.Thread):
    """Every `interval` s: the RSS (KiB) of the worker's main process and of each child, and
    `progress()` (messages delivered so far)."""

    def __init__(self, pid: int, progress: Callable[[], int], interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.progress, self.interval = pid, progress, interval
        self.samples: list[dict] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stopped.wait(self.interval):
            self.samples.append({
                "t": round(time.monotonic() - started, 1), "main": infra.rss_kib(self.pid),
                "children": [infra.rss_kib(pid) for pid in sorted(infra.children(self.pid))],
                "delivered": self.progress(),
            })

    def finish(self) -> list[dict]:
        self.stopped.set()
        self.join()
        return self.samples
