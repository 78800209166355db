"""The SMTP fallback: whether it is configured, the connection built from settings, a test send.

Until the module is enabled and connected every message goes this way. With
`EMAIL_BACKEND = "sendsay_admin.mail.EmailBackend"` the fallback is
`SENDSAY_FALLBACK_EMAIL_BACKEND` (default Django's SMTP backend with the EMAIL_* settings);
with any Django backend configured directly, that backend is the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

SENDSAY_BACKEND = "sendsay_admin.mail.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend": "prints messages to the console",
    "django.core.mail.backends.locmem.EmailBackend": "keeps messages in memory",
    "django.core.mail.backends.filebased.EmailBackend": "writes messages to files",
    "django.core.mail.backends.dummy.EmailBackend": "drops messages",
}


@dataclass(frozen=True)
class SmtpStatus:
    configured: bool
    backend: str
    host: str
    port: int | None
    message: str


def fallback_backend_path() -> str:
    """The dotted path of the backend mail falls back to."""
    if settings.EMAIL_BACKEND == SENDSAY_BACKEND:
        return getattr(settings, "SENDSAY_FALLBACK_EMAIL_BACKEND", SMTP_BACKEND)
    return settings.EMAIL_BACKEND


def fallback_connection(*, fail_silently: bool = False) -> BaseEmailBackend:
    """A connection of the fallback backend (SMTP with EMAIL_HOST, EMAIL_PORT ...)."""
    return get_connection(fallback_backend_path(), fail_silently=fail_silently)


def smtp_fallback_status() -> SmtpStatus:
    path = fallback_backend_path()
    host = getattr(settings, "EMAIL_HOST", "") or ""
    port = getattr(settings, "EMAIL_PORT", None)
    if path in _NOT_DELIVERING:
        return SmtpStatus(False, path, host, port,
                          f"Not configured: the fallback {_NOT_DELIVERING[path]}. Set EMAIL_URL "
                          "to a real SMTP server.")
    if path == SMTP_BACKEND:
        if not host:
            return SmtpStatus(False, path, host, port,
                              "Not configured: EMAIL_HOST is empty. Set EMAIL_URL.")
        return SmtpStatus(True, path, host, port, f"SMTP server {host}:{port}.")
    return SmtpStatus(True, path, host, port, f"Mail backend {path}.")


def smtp_test_send(*, to: str) -> int:
    """Send one test message through the fallback; returns the number sent (1).
    Errors of the backend (`smtplib.SMTPException`, `OSError`) reach the caller."""
    message = EmailMessage(
        subject="Test message from the marketplace (SMTP fallback)",
        body="This message went through the SMTP fallback used while the Sendsay module is "
             "disabled or not connected.",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=fallback_connection(),
    )
    return message.send()
