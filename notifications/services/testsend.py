"""Send one template to an address now (the admin's "send test"), outside the outbox."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

from marketplace.models import MarketplaceSettings, Storefront
from notifications.channels.base import DeliveryResult, OutboundMessage
from notifications.dispatch import Dispatcher, Envelope, Skip
from notifications.events import STOREFRONT_ROLES, Category, Channel, Role, event_spec
from notifications.exceptions import NotificationError
from notifications.models import TemplateOverride
from notifications.rendering import render
from notifications.samples import sample_extras, sample_payload


def _sender(role: str, storefront_id: int | None) -> str:
    if role in STOREFRONT_ROLES and storefront_id is not None:
        storefront = Storefront.objects.get(pk=storefront_id)
        return formataddr((storefront.name, storefront.company_email))
    return MarketplaceSettings.load().all_storefronts_email


def template_send_test(
    *, event: str, role: str, channel: str, language: str, to: str, variant: str = "",
    storefront_id: int | None = None, payload: dict[str, Any] | None = None,
    override: TemplateOverride | None = None,
) -> DeliveryResult:
    """Render (`override` or the stored templates) with `payload` or the sample payload and
    send it to `to` through the route a real message of that role would take (Sendsay when
    active and the sender is confirmed, else SMTP), subject prefixed with "[TEST]".
    Nothing is written. Raises `TemplateError`, `DeliveryError`, or `NotificationError` when
    the channel cannot be sent at all (e.g. SMS with the module off)."""
    spec = event_spec(event)
    sender = _sender(role, storefront_id)
    dispatcher = Dispatcher()
    try:
        route = dispatcher.route(Envelope(channel=Channel(channel), role=Role(role), to=to,
                                          sender=sender, storefront_id=storefront_id))
        if isinstance(route, Skip):
            raise NotificationError(route.reason)
        extras = {**sample_extras(marketing=spec.category == Category.MARKETING),
                  "recipient": {"name": "", "address": to}}
        rendered = render(event, role, route.channel, variant, language, storefront_id,
                          payload or sample_payload(event, variant), extras=extras,
                          override=override)
        message = OutboundMessage(
            outbox_id=0, channel=route.channel, to=route.to, sender=sender,
            subject=f"[TEST] {rendered.subject}" if rendered.subject else "", text=rendered.text,
            html=rendered.html,
        )
        return dispatcher.backend(route).send(message)
    finally:
        dispatcher.close()
