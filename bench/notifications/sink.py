"""A counting SMTP sink for the benchmark: aiosmtpd (as `sendsay_admin.devtools.smtp_sink`)
but keeping no messages, so 100,000 of them cost no memory. Every 0.1 s it writes
{"count", "first", "last"} (arrival times, epoch seconds) to the --stats file.

`python -m bench.notifications.sink --port 2525 --stats var/bench/sink.json`
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.time()
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
        return "250 Message accepted for delivery"

    def snapshot(self) -> dict:
        with self.lock:
            return {"count": self.count, "first": self.first, "last": self.last}


def write_stats(path: Path, stats: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(stats))
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Counting SMTP sink (benchmark).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args(argv)
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"bench sink on 127.0.0.1:{args.port}", flush=True)
    while not stop.wait(0.1):
        write_stats(args.stats, handler.snapshot())
    write_stats(args.stats, handler.snapshot())
    controller.stop()


if __name__ == "__main__":
    main()
