"""The channel interface: a frozen rendered message in, a result or a classified error out."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from django.utils import timezone

from notifications.events import Channel


@dataclass(frozen=True)
class OutboundMessage:
    """One already-rendered message. `sender` is "Name <address>" or an address; `draft_id`
    asks Sendsay to send its saved draft with `extra` as personalisation."""

    outbox_id: int
    channel: Channel
    to: str
    sender: str
    subject: str
    text: str
    html: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    draft_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class DeliveryResult:
    provider_id: str
    backend: str


@dataclass(frozen=True)
class SendOutcome:
    """One `send` of a batch: its result or its classified error, when it started, how long it
    took and when it ended (the moment the provider accepted the message)."""

    result: DeliveryResult | None
    error: DeliveryError | None
    started_at: datetime
    duration_ms: int
    finished_at: datetime


class DeliveryError(Exception):
    """A message could not be delivered; `backend` names who said so."""

    def __init__(self, message: str, *, backend: str = "") -> None:
        super().__init__(message)
        self.backend = backend


class TemporaryDeliveryError(DeliveryError):
    """A retry may help (connection refused, 4xx SMTP reply, Sendsay 5xx or rate limit)."""


class PermanentDeliveryError(DeliveryError):
    """A retry cannot help (recipient refused, sender refused, invalid request)."""


class UnsupportedFeatureError(PermanentDeliveryError):
    """The backend cannot do what the message asks (anymail's rule: fail loudly, never drop)."""


@lru_cache(maxsize=256)
def sender_parts(sender: str) -> tuple[str, str]:
    """(name, address) of a sender as written, parsed once per process: a batch has a few
    senders, and `parseaddr` costs more than the rest of building a letter's envelope."""
    return parseaddr(sender)


def in_flight(
    submit: Callable[[int, OutboundMessage], Future], messages: Sequence[OutboundMessage],
    window: int,
) -> Iterator[SendOutcome]:
    """Yield the outcomes of `submit(index, message)` futures in the messages' order, with at
    most `window` submitted and not yet yielded: the next message is handed over only when
    the caller takes an outcome, so no more than `window` messages are ever sent and not yet
    recorded. Closing the iterator early waits for what is in flight."""
    pending: deque[Future] = deque()
    try:
        for index, message in enumerate(messages):
            if len(pending) >= window:
                yield pending.popleft().result()
            pending.append(submit(index, message))
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel() or future.exception()


class ChannelBackend(ABC):
    """Sends one rendered message. Raises TemporaryDeliveryError when a retry may help,
    PermanentDeliveryError when it cannot. `open()`/`close()` let a batch reuse one
    connection; `send()` opens on demand. Use as a context manager."""

    name: str = ""
    channels: frozenset[Channel] = frozenset()

    def open(self) -> None:  # noqa: B027 (optional hook)
        """Open a connection to reuse across `send` calls (no-op by default)."""

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Close what `open` opened (no-op by default); never raises."""

    @abstractmethod
    def send(self, message: OutboundMessage) -> DeliveryResult: ...

    def send_batch(self, messages: Sequence[OutboundMessage]) -> Iterator[SendOutcome]:
        """Send each message; yields the outcomes in the same order, each as soon as it is
        known, so the caller records it while later messages are still being sent (a worker
        killed mid-batch then leaves only the last few outcomes unrecorded). `DeliveryError`
        is caught per message, anything else (a misconfiguration) propagates. One after the
        other here; a backend whose provider answers slowly overrides this to keep several
        in flight (`in_flight`). Close the iterator when not consuming it to the end."""
        for message in messages:
            yield self.timed_send(message)

    def timed_send(self, message: OutboundMessage) -> SendOutcome:
        started, clock = timezone.now(), time.monotonic()
        result, error = None, None
        try:
            result = self.send(message)
        except DeliveryError as exc:
            error = exc
        duration = int((time.monotonic() - clock) * 1000)
        return SendOutcome(result, error, started, duration, timezone.now())

    def check_channel(self, message: OutboundMessage) -> None:
        if message.channel not in self.channels:
            raise UnsupportedFeatureError(
                f"{self.name} cannot send {message.channel} messages", backend=self.name
            )

    def __enter__(self) -> ChannelBackend:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
