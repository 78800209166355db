"""A Django mail backend: Sendsay (issue.send, personal) when the module is active and the From
address is a usable sender, otherwise the SMTP fallback built from settings.

Use it with ``EMAIL_BACKEND = "sendsay_admin.mail.EmailBackend"``; the fallback is
``SENDSAY_FALLBACK_EMAIL_BACKEND`` (default Django's SMTP backend with EMAIL_HOST, EMAIL_PORT,
EMAIL_HOST_USER ...). Each recipient (to, cc and bcc) gets a personal copy through Sendsay.
A message Sendsay cannot carry as is (custom headers) goes through SMTP rather than losing them;
a temporary Sendsay failure (`SendsayError.retryable`) also falls back to SMTP, since Django mail
has no retry queue. Permanent Sendsay errors are recorded on the account and raised unless
`fail_silently`.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections.abc import Sequence
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from marketplace.models import Storefront
from sendsay_admin.client import SendsayError, letter_inline
from sendsay_admin.models import AccountStatus, SendsayAccount
from sendsay_admin.services import (
    account_for_storefront,
    client_for_account,
    error_record,
    fallback_connection,
    sender_is_usable,
)

logger = logging.getLogger(__name__)
#: Headers the Sendsay letter carries itself.
_CARRIED_HEADERS = {"reply-to", "from", "to", "cc"}


def _attachment(item: Any) -> dict[str, str]:
    if isinstance(item, MIMEBase):
        name = item.get_filename() or "attachment"
        content, mimetype = item.get_payload(decode=True) or b"", item.get_content_type()
    else:
        name, content, mimetype = item[0], item[1], item[2] if len(item) > 2 else None
        mimetype = mimetype or mimetypes.guess_type(name or "")[0] or "application/octet-stream"
    if isinstance(content, str):
        content = content.encode("utf-8")
    return {"name": name or "attachment", "content": base64.b64encode(content).decode("ascii"),
            "encoding": "base64", "mime-type": mimetype}


def message_letter(message: EmailMessage) -> dict[str, Any]:
    """The `issue.send` letter for a Django message (text, HTML alternative, attachments)."""
    from_name, from_email = parseaddr(message.from_email)
    html = text = ""
    if message.content_subtype == "html":
        html = message.body
    else:
        text = message.body
    for alternative in getattr(message, "alternatives", []) or []:
        content, mimetype = alternative[0], alternative[1]
        if mimetype == "text/html" and not html:
            html = content
    letter = letter_inline(message.subject, html, text, from_email, from_name)
    if message.reply_to:
        reply_name, reply_email = parseaddr(message.reply_to[0])
        letter["reply.email"] = reply_email
        if reply_name:
            letter["reply.name"] = reply_name
    if message.attachments:
        letter["attaches"] = [_attachment(item) for item in message.attachments]
    return letter


def sendsay_route(message: EmailMessage) -> SendsayAccount | None:
    """The account to send `message` through, or None for the SMTP fallback."""
    from_email = parseaddr(message.from_email)[1].strip().lower()
    if not from_email or not sender_is_usable(from_email):
        return None
    if {h.lower() for h in message.extra_headers} - _CARRIED_HEADERS:
        logger.info("mail with custom headers goes through SMTP")
        return None
    storefront = Storefront.objects.filter(company_email__iexact=from_email).first()
    account = account_for_storefront(storefront)
    if account is None or account.state != AccountStatus.CONNECTED:
        return None
    return account


class EmailBackend(BaseEmailBackend):
    """Django mail through Sendsay when connected, through the SMTP fallback otherwise."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self._fallback: BaseEmailBackend | None = None

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()
            self._fallback = None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent, fallback = 0, []
        for message in email_messages:
            if not message.recipients():
                continue
            account = sendsay_route(message)
            outcome = self._send_sendsay(account, message) if account is not None else False
            if outcome is False:
                fallback.append(message)
            elif outcome:
                sent += 1
        if fallback:
            sent += self._fallback_connection().send_messages(fallback) or 0
        return sent

    def _fallback_connection(self) -> BaseEmailBackend:
        if self._fallback is None:
            self._fallback = fallback_connection(fail_silently=self.fail_silently)
        return self._fallback

    def _send_sendsay(self, account: SendsayAccount, message: EmailMessage) -> bool | None:
        """True when sent, False to fall back (temporary failure), None when a permanent error
        was silenced (`fail_silently`); otherwise permanent errors are raised."""
        letter = message_letter(message)
        try:
            with client_for_account(account) as client:
                for recipient in message.recipients():
                    client.issue_send_personal(parseaddr(recipient)[1], letter=letter)
        except SendsayError as exc:
            error_record(account=account, exc=exc)
            if exc.retryable:
                logger.warning("sendsay mail failed (%s), falling back to SMTP", exc.error_id)
                return False
            if not self.fail_silently:
                raise
            return None
        logger.info("mail sent via sendsay to %d recipient(s)", len(message.recipients()))
        return True
