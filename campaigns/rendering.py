"""Campaign content -> one message: the notification engine's strict templates, a context of
plain values (the recipient's primitives), signed unsubscribe links for personal sends.

Context a campaign template sees (every key always present for its role):

| name | value |
|---|---|
| `recipient` | `first_name`, `last_name`, `name`, `email`, `address` (what this channel sends to) |
| `role` | `buyer`, `seller` or `admin` |
| `storefront` | `name`, `domain`, `url` (the buyer's, the seller company's, else the campaign's) |
| `company` | `name` (sellers only) |
| `campaign` | `name` |
| `site_url`, `unsubscribe_url`, `preferences_url` | links; signed per recipient |

A Sendsay list send renders once per role: the recipient values and the unsubscribe link are
Sendsay's own personalisation placeholders (`GROUP_PLACEHOLDERS`, inferred [I]: ProScript
`[% ... %]`, reference section 5.5), filled in by Sendsay per contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.template import TemplateSyntaxError

from notifications.exceptions import TemplateError

# The notification engine's strict engine (string_if_invalid marks, compiled-source cache) and
# its checked render; campaigns add no template engine of their own.
from notifications.rendering import _compiled, _run, html_to_text

#: [I] Sendsay ProScript placeholders for a list send (not confirmed against the live API:
#: change them here if Sendsay names the fields differently).
GROUP_PLACEHOLDERS = {
    "first_name": "[% anketa.base.firstName %]",
    "last_name": "[% anketa.base.lastName %]",
    "name": "[% anketa.base.firstName %]",
    "email": "[% anketa.member.email %]",
    "address": "[% anketa.member.email %]",
}
GROUP_UNSUBSCRIBE = "[% param.url_unsub %]"


@dataclass(frozen=True)
class Content:
    """A role's content as plain strings."""

    role: str
    subject: str = ""
    html: str = ""
    text: str = ""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def _part(source: str, context: Mapping[str, Any], name: str, *, autoescape: bool) -> str:
    try:
        template = _compiled(source, autoescape)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: template syntax error: {exc}") from exc
    return _run(template, context, name)


def render_message(content: Content, context: Mapping[str, Any], *, email: bool) -> Message:
    """Render `content` for one recipient (or one list). E-mail: subject, HTML (autoescaped)
    and text (from the HTML when the text is empty); other channels: text only. Raises
    `TemplateError` (syntax) or `MissingVariableError` (a variable the context lacks)."""
    label = f"campaign content ({content.role})"
    if not email:
        text = _part(content.text, context, f"{label} text", autoescape=False).strip()
        return Message(subject="", text=text, html="")
    subject = _part(content.subject, context, f"{label} subject", autoescape=False)
    html = _part(content.html, context, f"{label} HTML", autoescape=True).strip()
    if content.text:
        text = _part(content.text, context, f"{label} text", autoescape=False).strip()
    else:
        text = html_to_text(html)
    return Message(subject=" ".join(subject.split()), text=text, html=html)
