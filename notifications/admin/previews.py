"""What the template admin renders: a payload from sample data or from a real order or user
(built by the same loaders and builders `emit` uses), and the shipped default's text."""

from __future__ import annotations

from typing import Any

from notifications.events import Category, event_spec
from notifications.payloads import SECTIONS, payload_build
from notifications.rendering import default_source
from notifications.samples import sample_extras, sample_payload
from notifications.selectors import refs_load


def preview_payload(event: str, variant: str = "", *, order_id: int | None = None,
                    user_id: int | None = None) -> dict[str, Any]:
    """The payload a message of `event` would carry: about the order or the user when one is
    given (`selectors.refs_load` + `payloads.payload_build`, exactly as `emit` does; values the
    caller would pass, such as a confirmation link, come from the sample), else the sample.
    Raises `MissingRefError` when the event cannot be built from what was given (an order
    event with a user, a user that no longer exists ...)."""
    sample = sample_payload(event, variant)
    if not order_id and not user_id:
        return sample
    spec = event_spec(event)
    known: dict[str, Any] = {"order": int(order_id)} if order_id else {"user": int(user_id)}
    if variant and spec.variant_ref in ("status", "to_status"):
        known["status"] = variant
    params = {key: sample[key] for key in spec.data if key not in SECTIONS and key in sample}
    return payload_build(spec, refs_load(known, params))


def preview_extras(event: str) -> dict[str, Any]:
    """Recipient, site URL and (for marketing) unsubscribe links, as delivery adds them."""
    return sample_extras(marketing=event_spec(event).category == Category.MARKETING)


def default_parts(event: str, role: str, channel: str, variant: str, language: str) -> dict:
    """The shipped default's subject, HTML and text to start an override from; a part the
    variant has no file for comes from the event's variant-less file."""
    parts = default_source(event, role, channel, variant, language)
    if variant:
        plain = default_source(event, role, channel, "", language)
        parts = {name: text or plain.get(name, "") for name, text in parts.items()}
    return {"subject": parts.get("subject.txt", "").strip(), "html": parts.get("html", ""),
            "text": parts.get("txt", "")}
