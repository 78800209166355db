"""E-mail through Django's mail backend (SMTP), one connection reused across a batch."""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend

from notifications.events import Channel

from . import mime
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

#: SMTP connections a batch sends over at once (threads): while one waits for the server's
#: reply the next message is built and sent on another (django-post-office uses 5 per process).
CONNECTIONS = 3


def _code_error(code: int, text: str) -> TemporaryDeliveryError | PermanentDeliveryError:
    kind = PermanentDeliveryError if 500 <= code < 600 else TemporaryDeliveryError
    return kind(f"SMTP {code}: {text}", backend=SmtpBackend.name)


def classify(exc: Exception) -> TemporaryDeliveryError | PermanentDeliveryError:
    """Map an smtplib / socket error to a delivery error: SMTP 5xx replies (recipient, sender or
    data refused) are permanent; 4xx replies, refused or dropped connections and timeouts are
    temporary. A refused SMTP login is temporary too: an administrator fixes the settings and
    the retries go through."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (550, b"recipient refused"))
        return _code_error(code, _text(reply))
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TemporaryDeliveryError(f"SMTP login refused ({exc.smtp_code}): check EMAIL_URL",
                                      backend=SmtpBackend.name)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _code_error(exc.smtp_code, _text(exc.smtp_error))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return PermanentDeliveryError(f"SMTP: {exc}", backend=SmtpBackend.name)
    return TemporaryDeliveryError(f"SMTP connection: {type(exc).__name__}: {exc}",
                                  backend=SmtpBackend.name)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class SmtpBackend(ChannelBackend):
    """Sends e-mail over `connection` (a Django mail backend, opened once per batch). Over
    Django's SMTP backend the message bytes come from `mime.message_bytes` (the same bytes
    Django writes, built without the message tree) straight to the open smtplib connection;
    any other backend (console, locmem, ...) gets Django's message object as usual.
    `send_batch` spreads a batch over CONNECTIONS connections (SMTP backend only)."""

    name = "smtp"
    channels = frozenset({Channel.EMAIL})

    def __init__(self, connection: BaseEmailBackend) -> None:
        self.connection = connection
        self._open = False

    def open(self) -> None:
        if not self._open:
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                raise classify(exc) from exc
            self._open = True

    def close(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()

    def build(self, message: OutboundMessage) -> EmailMultiAlternatives:
        domain = sender_parts(message.sender)[1].rpartition("@")[2] or None
        headers = {"Message-ID": make_msgid(domain=domain), **message.headers}
        email = EmailMultiAlternatives(
            subject=message.subject, body=message.text, from_email=message.sender,
            to=[message.to], headers=headers, connection=self.connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    def send(self, message: OutboundMessage) -> DeliveryResult:
        self.check_channel(message)
        if message.draft_id:
            raise UnsupportedFeatureError("SMTP cannot send a Sendsay draft", backend=self.name)
        email = self.build(message)
        message_id = email.extra_headers["Message-ID"]
        data = self._fast_bytes(email)
        self.open()
        try:
            if data is None:
                self.connection.send_messages([email])
            else:
                self.connection.connection.sendmail(*mime.envelope(email.from_email, email.to[0]),
                                                    data)
        except (smtplib.SMTPException, OSError) as exc:
            error = classify(exc)
            if isinstance(error, TemporaryDeliveryError):
                self.close()  # the connection may be dead: reopen for the next message
            raise error from exc
        return DeliveryResult(provider_id=message_id, backend=self.name)

    def send_batch(self, messages: Sequence[OutboundMessage]) -> Iterator[SendOutcome]:
        if type(self.connection) is not DjangoSmtpBackend or len(messages) < 2 * CONNECTIONS:
            return super().send_batch(messages)
        return self._lanes(messages)

    def _lanes(self, messages: Sequence[OutboundMessage]) -> Iterator[SendOutcome]:
        """Message n goes over connection n % CONNECTIONS, each connection in a thread of its
        own (an SMTP conversation is sequential); two messages per connection in flight."""
        lanes = [self, *(SmtpBackend(self._sibling()) for _ in range(CONNECTIONS - 1))]
        threads = [ThreadPoolExecutor(1, thread_name_prefix="smtp-send") for _ in lanes]
        try:
            yield from in_flight(
                lambda index, message: threads[index % CONNECTIONS].submit(
                    lanes[index % CONNECTIONS].timed_send, message),
                messages, 2 * CONNECTIONS)
        finally:
            for thread in threads:
                thread.shutdown(wait=True)
            for lane in lanes[1:]:
                lane.close()

    def _sibling(self) -> DjangoSmtpBackend:
        """Another connection with the same settings (not opened yet)."""
        c = self.connection
        return DjangoSmtpBackend(
            host=c.host, port=c.port, username=c.username, password=c.password,
            use_tls=c.use_tls, use_ssl=c.use_ssl, timeout=c.timeout,
            ssl_keyfile=c.ssl_keyfile, ssl_certfile=c.ssl_certfile, fail_silently=c.fail_silently,
        )

    def _fast_bytes(self, email: EmailMultiAlternatives) -> bytes | None:
        if type(self.connection) is not DjangoSmtpBackend:
            return None
        html = email.alternatives[0][0] if email.alternatives else ""
        return mime.message_bytes(
            sender=email.from_email, to=email.to[0], subject=email.subject, text=email.body,
            html=html, headers=email.extra_headers,
            localtime=getattr(settings, "EMAIL_USE_LOCALTIME", False),
        )
