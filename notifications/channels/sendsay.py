"""Sendsay channels: e-mail, SMS, Telegram, VK, Viber, WhatsApp and push via `issue.send`."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from notifications.events import Channel
from sendsay_admin.client import SendsayClient, SendsayError, letter_inline, letter_message

from .base import (
    ChannelBackend,
    DeliveryResult,
    OutboundMessage,
    PermanentDeliveryError,
    SendOutcome,
    TemporaryDeliveryError,
    UnsupportedFeatureError,
    in_flight,
    sender_parts,
)

#: channel -> (Sendsay addr_type of the recipient, key inside `letter.message`). Phone numbers
#: are `msisdn` for SMS, Viber and WhatsApp; push goes to the mobile-app token (`pushapp`).
ROUTES: Mapping[Channel, tuple[str, str]] = {
    Channel.EMAIL: ("email", ""),
    Channel.SMS: ("msisdn", "sms"),
    Channel.TELEGRAM: ("tg", "tg"),
    Channel.VK: ("vk", "vk"),
    Channel.VIBER: ("msisdn", "viber"),
    Channel.WHATSAPP: ("msisdn", "whatsapp"),
    Channel.PUSH: ("pushapp", "pushapp"),
}
HEADERS_LEFT_TO_SENDSAY = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
#: Calls in flight at once in `send_batch`, per process: a round trip to Sendsay takes tens of
#: milliseconds, one call after the other would cap a worker near 1 / latency. Within the
#: client session's pool (POOL_MAXSIZE = 32). 32 opened at once per process overflowed the
#: emulator's listen backlog (stdlib server, 5) in the benchmark: some calls were refused.
MAX_IN_FLIGHT = 16

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _send_pool() -> ThreadPoolExecutor:
    """The process's sending threads, started once (a pool per batch started 16 threads per
    batch: about a third of a millisecond of CPU per message). Keyed by pid: a forked worker
    process never inherits its parent's threads, so it starts its own."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(MAX_IN_FLIGHT,
                                                     thread_name_prefix="sendsay-send"))
        return _pool[1]


class SendsayBackend(ChannelBackend):
    """Sends through one Sendsay account's client (its HTTP session is pooled and shared), one
    `issue.send` to one recipient (`group: personal`) per message.

    `send_batch` keeps up to MAX_IN_FLIGHT calls in flight (the process's thread pool; the
    client and its pooled session are thread-safe); the outcomes come back in the messages'
    order, each as soon as it and those before it are known.

    `SendsayError.retryable` (transport errors, HTTP 5xx / 429, temporary error ids) becomes
    `TemporaryDeliveryError`, anything else `PermanentDeliveryError`. Sendsay handles
    unsubscribe for the letters it sends and an inline letter has no header field, so the
    List-Unsubscribe pair is not passed on (the signed link stays in the body); any other
    header is refused loudly. `SendsayConfigurationError` is not caught: a misconfiguration
    is not a delivery failure.
    """

    name = "sendsay"
    channels = frozenset(ROUTES)

    def __init__(self, client: SendsayClient) -> None:
        self.client = client

    def send_batch(self, messages: Sequence[OutboundMessage]) -> Iterator[SendOutcome]:
        if len(messages) < 2:
            return super().send_batch(messages)
        pool = _send_pool()
        return in_flight(lambda _index, message: pool.submit(self.timed_send, message),
                         messages, MAX_IN_FLIGHT)

    def letter(self, message: OutboundMessage) -> dict:
        if message.channel != Channel.EMAIL:
            return letter_message(ROUTES[message.channel][1], message.text)
        name, address = sender_parts(message.sender)
        if message.draft_id:
            # The draft's content with our confirmed sender (inline keys override the draft's).
            letter = {"draft.id": message.draft_id, "from.email": address}
            return {**letter, "from.name": name} if name else letter
        return letter_inline(message.subject, message.html, message.text, address, name)

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.check_channel(message)
        unsupported = {h for h in message.headers if h.lower() not in HEADERS_LEFT_TO_SENDSAY}
        if unsupported:
            raise UnsupportedFeatureError(
                f"Sendsay letters cannot carry headers {sorted(unsupported)}", backend=self.name
            )
        try:
            letter = self.letter(message)
        except ValueError as exc:  # the letter builders refuse an unsendable letter
            raise PermanentDeliveryError(f"Sendsay letter: {exc}", backend=self.name) from exc
        extra = dict(message.extra) if message.draft_id else None
        try:
            reply = self.client.issue_send_personal(
                message.to, letter=letter, addr_type=ROUTES[message.channel][0], extra=extra
            )
        except SendsayError as exc:
            kind = TemporaryDeliveryError if exc.retryable else PermanentDeliveryError
            raise kind(str(exc), backend=self.name) from exc
        return DeliveryResult(provider_id=str(reply.get("track.id", "")), backend=self.name)
