"""What delivery knows about each message of a batch: opt-outs, e-mail siblings, links."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from notifications import links
from notifications.dispatch import Route
from notifications.events import Category, Channel, Role
from notifications.models import OutboxMessage
from notifications.selectors import opted_out


@dataclass(frozen=True)
class BatchFacts:
    """Loaded once per batch (two queries), asked per message."""

    blocked: frozenset  # ("user"|"company", id, channel) opted out of marketing
    emailed: frozenset  # (event id, role, user id, company id) with an e-mail row already

    def opted_out(self, message: OutboxMessage, channel: str) -> bool:
        return (("user", message.recipient_user_id, channel) in self.blocked
                or ("company", message.company_id, channel) in self.blocked)

    def fallback_email(self, message: OutboxMessage) -> str:
        """The recipient's e-mail for a messenger fallback, unless the occurrence e-mails them
        anyway (then a fallback would be a duplicate)."""
        key = (message.event_id, message.role, message.recipient_user_id, message.company_id)
        if message.channel == Channel.EMAIL or key in self.emailed:
            return ""
        if message.role == Role.BUYER and message.recipient_user is not None:
            return message.recipient_user.email
        if message.role == Role.SELLER and message.company is not None:
            return message.company.email
        if message.role == Role.WAREHOUSE and message.company is not None:
            return message.company.warehouse_email
        return ""


def batch_facts(messages: list[OutboxMessage]) -> BatchFacts:
    return BatchFacts(blocked=frozenset(_blocked(messages)),
                      emailed=frozenset(_emailed(messages)))


def _blocked(messages: list[OutboxMessage]) -> set:
    marketing = [m for m in messages if m.event.category == Category.MARKETING]
    return opted_out(
        category=Category.MARKETING, user_ids=[m.recipient_user_id for m in marketing],
        company_ids=[m.company_id for m in marketing],
    )


def _emailed(messages: list[OutboxMessage]) -> set:
    texts = [m for m in messages if m.channel != Channel.EMAIL]
    if not texts:
        return set()
    return set(
        OutboxMessage.objects.filter(
            event_id__in={m.event_id for m in texts}, channel=Channel.EMAIL
        ).values_list("event_id", "role", "recipient_user_id", "company_id")
    )


def link_subject(message: OutboxMessage) -> links.LinkSubject | None:
    """Whose preferences a message's links manage: the buyer, or the seller's company."""
    if message.role == Role.BUYER and message.recipient_user_id:
        return links.LinkSubject("user", message.recipient_user_id)
    if message.role == Role.SELLER and message.company_id:
        return links.LinkSubject("company", message.company_id)
    return None


def context_extras(message: OutboxMessage, route: Route) -> dict:
    """The template context next to the payload: recipient, site_url and, for marketing,
    signed unsubscribe and preference links."""
    name = ""
    if message.recipient_user is not None:
        name = message.recipient_user.first_name
    elif message.company is not None:
        name = message.company.name
    extras = {"site_url": settings.SITE_URL, "recipient": {"name": name, "address": route.to}}
    subject = link_subject(message)
    if message.event.category == Category.MARKETING and subject is not None:
        unsubscribe = links.LinkSubject(subject.kind, subject.pk, route.channel,
                                        Category.MARKETING)
        extras["unsubscribe_url"] = links.unsubscribe_url(unsubscribe)
        extras["preferences_url"] = links.preferences_url(subject)
    return extras


def marketing_headers(extras: dict, route: Route) -> dict:
    """RFC 2369 / RFC 8058 one-click unsubscribe headers; transactional mail gets none."""
    if "unsubscribe_url" not in extras or route.channel != Channel.EMAIL:
        return {}
    return {"List-Unsubscribe": f"<{extras['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
