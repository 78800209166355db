"""Preview a campaign's content against a sample recipient, and send one test message."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from notifications.channels.base import DeliveryResult, OutboundMessage
from notifications.dispatch import Dispatcher, Envelope, Skip
from notifications.events import Channel, Role
from notifications.exceptions import TemplateError
from notifications.samples import sample_extras

from ..exceptions import CampaignNotSendableError
from ..models import Campaign, CampaignRecipient
from ..rendering import Content, Message, render_message
from ..selectors import sample_recipient
from .context import (
    batch_facts,
    campaign_sender,
    contents_of,
    group_context,
    notify_channel,
    recipient_context,
)


@dataclass(frozen=True)
class PreviewResult:
    """The message as `recipient` would get it, or why it cannot be rendered."""

    role: str
    recipient: CampaignRecipient | None
    message: Message | None
    error: str = ""
    email: bool = True


def _content(campaign: Campaign, role: str) -> Content:
    contents = contents_of(campaign)
    if role not in contents:
        raise CampaignNotSendableError(_("There is no content for %(role)s.") % {"role": role})
    return contents[role]


def _context(campaign: Campaign, role: str, recipient: CampaignRecipient | None) -> dict:
    if recipient is None:  # a broadcast: one post, no recipient
        return group_context(campaign, role)
    return recipient_context(campaign, recipient, batch_facts([recipient]))


def campaign_preview(*, campaign: Campaign, role: str, email: str = "") -> PreviewResult:
    """Render `role`'s content for the audience member with `email` (else the first member of
    that role; a made-up person when there is none). Broadcasts render the post. Template
    problems come back in `error`, never raised."""
    email_channel = notify_channel(campaign) == Channel.EMAIL
    recipient = None if campaign.is_broadcast else sample_recipient(campaign, role, email=email)
    try:
        content = _content(campaign, role)
        message = render_message(content, _context(campaign, role, recipient),
                                 email=email_channel)
    except (TemplateError, CampaignNotSendableError) as exc:
        return PreviewResult(role, recipient, None, str(exc), email_channel)
    return PreviewResult(role, recipient, message, "", email_channel)


def campaign_send_test(*, campaign: Campaign, role: str, to: str, sample_email: str = ""
                       ) -> DeliveryResult:
    """Send `role`'s content, rendered for the sample recipient, to `to` now through the route
    a message of that role would take (Sendsay when active, and for e-mail a confirmed sender;
    else SMTP), subject prefixed "[TEST]"; its links are samples, so nobody is unsubscribed
    by a click on a test. Nothing is stored. Raises `TemplateError`, `DeliveryError` or
    `CampaignNotSendableError` (no content, or a channel without a route)."""
    channel = notify_channel(campaign)
    recipient = None if campaign.is_broadcast else sample_recipient(
        campaign, role, email=sample_email)
    context = _context(campaign, role, recipient)
    context.update({key: value for key, value in sample_extras(marketing=True).items()
                    if key.endswith("_url") and key != "site_url"})
    message = render_message(_content(campaign, role), context, email=channel == Channel.EMAIL)
    sender = campaign_sender(campaign)
    dispatcher = Dispatcher()
    try:
        route = dispatcher.route(Envelope(channel=channel, role=Role(role), to=to, sender=sender,
                                          storefront_id=campaign.storefront_id))
        if isinstance(route, Skip):
            raise CampaignNotSendableError(route.reason)
        outbound = OutboundMessage(
            outbox_id=0, channel=route.channel, to=route.to, sender=sender,
            subject=f"[TEST] {message.subject}" if message.subject else "",
            text=message.text, html=message.html)
        return dispatcher.backend(route).send(outbound)
    finally:
        dispatcher.close()
