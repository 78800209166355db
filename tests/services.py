"""Real external services for tests: find them, or skip with a reason (fail when CI=true)."""

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when a service is missing, except in CI where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def url_reachable(url: str) -> bool:
    parsed = urlparse(url)
    default_ports = {"redis": 6379, "amqp": 5672, "postgres": 5432, "postgresql": 5432}
    port = parsed.port or default_ports.get(parsed.scheme, 0)
    return bool(parsed.hostname) and port_open(parsed.hostname, port)
