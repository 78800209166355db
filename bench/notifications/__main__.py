"""Driver of the notification benchmark (see README.md in this folder). No Django here: it sets
up the databases, starts the SMTP sink and the Sendsay emulator, runs each measurement in a
process of its own (with its own workers) `--repeat` times, and prints medians as a table."""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from . import infra, report

OURS, OURS_SETTINGS = "bench.notifications.ours", "bench.notifications.settings_ours"
PO_SETTINGS = "bench.notifications.settings_post_office"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="per delivery run")
    parser.add_argument("--path", choices=["smtp", "sendsay", "both"], default="both")
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0],
                        help="emulator latency per issue.send call (one run each)")
    parser.add_argument("--modes", default="drain,live",
                        help="drain: queue a backlog, then time its delivery; live: workers "
                             "deliver while the emitter emits as fast as it can")
    parser.add_argument("--compare-post-office", action="store_true")
    parser.add_argument("--post-office-templated", action="store_true",
                        help="also post-office rendering EmailTemplates at delivery")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="offered messages/s of the latency run (0: skip)")
    parser.add_argument("--rate-seconds", type=float, default=20.0)
    parser.add_argument("--fanout", type=int, default=10_000, help="recipients (0: skip)")
    parser.add_argument("--queries", action="store_true", help="query count of order_place")
    parser.add_argument("--memory", type=int, default=0,
                        help="messages of the long run sampling worker RSS (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="per run, seconds")
    parser.add_argument("--out", type=Path, default=None, help="JSON of every run")
    return parser.parse_args(argv)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sink_port, self.emulator_port = infra.free_port(), infra.free_port()
        self.stats = infra.VAR / f"sink-{self.sink_port}.json"
        tag = f"{int(time.time()) % 100000}"
        ours_url = infra.ensure_database(infra.OURS_DB)
        po_url = infra.ensure_database(infra.POST_OFFICE_DB)
        api = f"http://127.0.0.1:{self.emulator_port}/general"
        common = {"EMAIL_URL": f"smtp://127.0.0.1:{self.sink_port}", "SENDSAY_TIMEOUT": "30",
                  "SENDSAY_API_URL": f"{api}/api/v100/json/",
                  "SENDSAY_SSEC_URL": f"{api}/ssec/v100/json/"}
        self.ours_env = infra.django_env(OURS_SETTINGS, ours_url, **common,
                                         NOTIFICATIONS_CELERY_QUEUE=f"bench-notify-{tag}")
        self.po_env = infra.django_env(PO_SETTINGS, po_url, **common,
                                       BENCH_POST_OFFICE_DATABASE_URL=po_url,
                                       BENCH_POST_OFFICE_QUEUE=f"bench-po-{tag}")
        self.results: list[dict] = []

    def setup(self) -> list[infra.Proc]:
        infra.migrate(self.ours_env)
        if self.args.compare_post_office or self.args.post_office_templated:
            infra.migrate(self.po_env)
        return [infra.start_sink(self.sink_port, self.stats),
                infra.start_emulator(self.emulator_port)]

    def run(self, module: str, env: dict, *options: str) -> dict:
        out = infra.VAR / f"run-{len(self.results)}.json"
        load = infra.load_average()
        command = [infra.PYTHON, "-m", module, *options, "--out", str(out)]
        subprocess.run(command, cwd=infra.ROOT, env=env, check=True,
                       timeout=self.args.timeout + 300)
        result = {**json.loads(out.read_text()), "load_before": load,
                  "load_after": infra.load_average()}
        self.results.append(result)
        print(report.line(result), flush=True)
        return result

    def ours(self, mode: str, path: str, messages: int, *extra: str) -> dict:
        return self.run(OURS, self.ours_env, "--mode", mode, "--path", path, "--messages",
                        str(messages), "--emulator-port", str(self.emulator_port),
                        "--timeout", str(self.args.timeout), *extra)

    def post_office(self, mode: str, *extra: str) -> dict:
        return self.run("bench.notifications.post_office_run", self.po_env, "--mode", mode,
                        "--messages", str(self.args.messages), "--stats", str(self.stats),
                        "--timeout", str(self.args.timeout), *extra)

    def repetition(self) -> None:
        args = self.args
        paths = ["smtp", "sendsay"] if args.path == "both" else [args.path]
        for mode in args.modes.split(","):
            if "smtp" in paths:
                self.ours(mode, "smtp", args.messages)
            if args.compare_post_office:
                self.post_office(mode)
            if args.post_office_templated:
                self.post_office(mode, "--templated")
            if "sendsay" in paths:
                for latency in args.latency_ms:
                    self.ours(mode, "sendsay", args.messages, "--latency-ms", str(latency))
        if args.rate:
            messages = int(args.rate * args.rate_seconds)
            for path in paths:
                self.ours("rate", path, messages, "--rate", str(args.rate))

    def once(self) -> None:
        args = self.args
        if args.fanout:
            self.ours("fanout", "smtp", 0, "--recipients", str(args.fanout))
        if args.queries:
            self.ours("queries", "smtp", 0)
        if args.memory:
            self.ours("memory", "smtp", args.memory)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    bench = Bench(args)
    services = bench.setup()
    started = time.time()
    try:
        for number in range(args.repeat):
            print(f"--- repetition {number + 1}/{args.repeat} (load {infra.load_average()})",
                  flush=True)
            bench.repetition()
        bench.once()
    finally:
        for proc in services:
            proc.stop()
    grouped = defaultdict(list)
    for result in bench.results:
        grouped[report.key(result)].append(result)
    print(report.table(grouped, minutes=(time.time() - started) / 60))
    out = args.out or infra.VAR / f"notifications-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"args": vars(args), "results": bench.results}, default=str,
                              indent=1))
    print(f"all runs: {out}")


if __name__ == "__main__":
    main()
