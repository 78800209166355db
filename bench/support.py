"""What every benchmark driver needs: free ports, waiting for a listener, a scratch database."""

from __future__ import annotations

import os
import socket
import time

#: PostgreSQL server for benchmark databases (each benchmark creates its own database).
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def ensure_database(name: str) -> str:
    """Create the PostgreSQL database `name` when missing; return its URL."""
    import psycopg

    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL + name
