"""The benchmark's SMTP sink, a process of its own: counts messages and recipients, keeps the
arrival time of each message, and writes {"messages", "distinct", "duplicates", "times"} to
`--stats` when asked (SIGUSR1) or when it stops (SIGTERM). Reset with SIGUSR2."""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller


class Counting:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.addresses: Counter = Counter()
            self.times: list[float] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.lock:
            self.addresses.update(envelope.rcpt_tos)
            self.times.append(now)
        return "250 OK"

    def stats(self) -> dict:
        with self.lock:
            return {"messages": len(self.times), "distinct": len(self.addresses),
                    "duplicates": sum(n - 1 for n in self.addresses.values() if n > 1),
                    "times": list(self.times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args()
    handler = Counting()
    stop = threading.Event()

    def dump(*_args) -> None:
        tmp = args.stats.with_suffix(".tmp")
        tmp.write_text(json.dumps(handler.stats()))
        tmp.replace(args.stats)

    signal.signal(signal.SIGUSR1, dump)
    signal.signal(signal.SIGUSR2, lambda *_a: handler.reset())
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    # Handlers first: the driver signals as soon as the port answers.
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"bench sink on 127.0.0.1:{args.port}", flush=True)
    while not stop.wait(0.5):
        pass
    dump()
    controller.stop()


if __name__ == "__main__":
    main()
