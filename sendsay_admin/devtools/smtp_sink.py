"""A real SMTP server that keeps what it receives: for `make run`, tests and benchmarks.

`python -m sendsay_admin.devtools.smtp_sink --port 1025 [--maildir var/mail]` prints one line
per message and, with --maildir, writes each message as an .eml file. Tests use `SmtpSink`
in-process: `with SmtpSink() as sink: ...; sink.messages`.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import itertools
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")


@dataclass
class _Handler:
    maildir: Path | None = None
    echo: bool = False
    messages: list[ReceivedMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=itertools.count)

    async def handle_DATA(self, server, session, envelope) -> str:
        received = ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        with self.lock:
            self.messages.append(received)
            number = next(self.counter)
        if self.maildir is not None:
            (self.maildir / f"{int(time.time())}-{number:06d}.eml").write_bytes(envelope.content)
        if self.echo:
            print(f"smtp-sink: {received.mail_from} -> {', '.join(received.rcpt_tos)}: "
                  f"{received.subject}", flush=True)
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server in a background thread that collects messages in `messages`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, maildir: Path | None = None,
                 echo: bool = False) -> None:
        self.host = host
        self.port = port or free_port(host)
        if maildir is not None:
            maildir.mkdir(parents=True, exist_ok=True)
        self._handler = _Handler(maildir=maildir, echo=echo)
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.messages.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Wait until at least `count` messages arrived; return them (maybe fewer on timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink that keeps every message.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, default=None, help="write each message here")
    args = parser.parse_args(argv)
    sink = SmtpSink(args.host, args.port, maildir=args.maildir, echo=True).start()
    print(f"smtp-sink listening on {args.host}:{args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sink.stop()


if __name__ == "__main__":
    main()
