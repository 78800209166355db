"""Builders for the `letter` object of `issue.send`: inline email, saved draft, other channels.

Pure functions, no IO. They raise `ValueError` for a letter that cannot be sent, so a caller's
mistake fails here instead of as a Sendsay error later.
"""

from __future__ import annotations

from typing import Any

from .constants import CHANNEL_MESSAGE_KEYS


def letter_inline(
    subject: str, html: str, text: str, from_email: str, from_name: str = ""
) -> dict[str, Any]:
    """An inline email letter [R: docs "how-to-send-campaign-with-api"].

    Empty `html` or `text` parts are left out; at least one of them is required.
    """
    if not from_email:
        raise ValueError("an inline letter needs from_email")
    if not html and not text:
        raise ValueError("an inline letter needs html or text")
    message = {key: value for key, value in (("html", html), ("text", text)) if value}
    letter: dict[str, Any] = {"subject": subject, "from.email": from_email, "message": message}
    if from_name:
        letter["from.name"] = from_name
    return letter


def letter_draft(draft_id: str | int) -> dict[str, Any]:
    """A letter taken from a saved Sendsay draft (template) [R]."""
    if draft_id in ("", None):
        raise ValueError("letter_draft needs a draft id")
    return {"draft.id": draft_id}


def letter_message(channel: str, text: str) -> dict[str, Any]:
    """A non-email letter: ``{"message": {<channel key>: text}}``.

    Only the `viber` key is documented [R]. `sms`, `tg`, `vk`, `push` and `pushapp` are inferred
    by analogy [I] and `whatsapp` from no source at all [I]: check them against the live API
    (see `constants.CHANNEL_MESSAGE_KEYS`). An unknown channel raises `ValueError` rather than
    being sent as something Sendsay would silently ignore.
    """
    key = CHANNEL_MESSAGE_KEYS.get(str(channel))
    if key is None:
        known = ", ".join(sorted(CHANNEL_MESSAGE_KEYS))
        raise ValueError(f"unknown Sendsay channel {channel!r}; expected one of: {known}")
    if not text:
        raise ValueError("a channel message needs text")
    return {"message": {key: text}}
