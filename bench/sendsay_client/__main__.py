"""CPU per call of `SendsayTransport.call` against the emulator over HTTP, next to the same
request over urllib3's pool and over a bare `http.client` connection (one thread, one
keep-alive connection each). Usage: `.venv/bin/python -m bench.sendsay_client --calls 2000`."""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import urllib3

from bench.support import free_port, wait_port
from sendsay_admin.client.transport import SendsayTransport

ROOT = Path(__file__).resolve().parents[2]
LOGIN, API_KEY = "bench", "bench-client-key-1"
BODY = b'{"action":"ping"}'


def measure(name: str, call: Callable[[], object], calls: int) -> None:
    call()  # connect first
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        call()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{name:<28} {1000 * cpu / calls:6.3f} ms CPU a call  {1000 * wall / calls:6.3f} ms wall")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sendsay_client", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "sendsay_admin.emulator", "--port", str(port), "--account",
         f"{LOGIN}:{API_KEY}"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        api = f"http://127.0.0.1:{port}/general/api/v100/json/"
        transport = SendsayTransport(LOGIN, API_KEY, api_url=api)
        headers = {"Authorization": f"sendsay apikey={API_KEY}",
                   "Content-Type": "application/json"}
        path = f"/general/api/v100/json/{LOGIN}"
        pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1)
        bare = http.client.HTTPConnection("127.0.0.1", port)

        def over_urllib3():
            return json.loads(pool.urlopen("POST", path, body=BODY, headers=headers,
                                           retries=False).data)

        def over_http_client():
            bare.request("POST", path, body=BODY, headers=headers)
            return json.loads(bare.getresponse().read())

        measure("SendsayTransport.call", lambda: transport.call("ping"), args.calls)
        measure("urllib3 pool", over_urllib3, args.calls)
        measure("http.client", over_http_client, args.calls)
    finally:
        emulator.terminate()
        emulator.wait()


if __name__ == "__main__":
    main()
