"""Recipient resolution per role: addresses per channel, sender and language (no queries)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from .events import Category, Channel, EventSpec, Role
from .exceptions import MissingRefError
from .payloads import Refs, phone_text

#: Profile attribute holding a buyer's address per non-email channel. Telegram, VK and push ids
#: have no profile field yet; add them here when they do and the channels start working.
BUYER_CONTACTS: Mapping[Channel, str] = {
    Channel.SMS: "phone", Channel.VIBER: "phone", Channel.WHATSAPP: "phone",
    Channel.TELEGRAM: "telegram_id", Channel.VK: "vk_id", Channel.PUSH: "push_token",
}
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VIBER, Channel.WHATSAPP})


@dataclass(frozen=True)
class Recipient:
    """One addressee of one role; `addresses` has an entry only for channels it can receive."""

    role: Role
    addresses: Mapping[Channel, str]
    sender: str  # "Name <address>"
    language: str
    user_id: int | None = None
    company_id: int | None = None
    #: Channels the recipient chose for this event's category; None: the event's defaults.
    channels: tuple[Channel, ...] | None = None

    def channels_for(self, defaults: tuple[Channel, ...], category: str) -> tuple[Channel, ...]:
        """The chosen channels (or `defaults`) it has an address for. Transactional messages
        always go: when nothing chosen is reachable they fall back to e-mail."""
        wanted = self.channels if self.channels is not None else defaults
        reachable = tuple(c for c in wanted if self.addresses.get(c))
        if not reachable and category == Category.TRANSACTIONAL and self.addresses.get(
            Channel.EMAIL
        ):
            return (Channel.EMAIL,)
        return reachable


def _language(storefront: Any) -> str:
    return storefront.language if storefront is not None else settings.LANGUAGE_CODE


def _storefront_sender(storefront: Any) -> str:
    return formataddr((storefront.name, storefront.company_email))


def _marketplace_sender(marketplace: Any) -> str:
    return marketplace.all_storefronts_email


def _buyer_addresses(user: Any) -> dict[Channel, str]:
    addresses = {Channel.EMAIL: user.email} if user.email else {}
    profile = getattr(user, "buyer_profile", None)
    for channel, attribute in BUYER_CONTACTS.items():
        value = getattr(profile, attribute, None) if profile is not None else None
        text = phone_text(value) if channel in PHONE_CHANNELS else str(value or "")
        if text:
            addresses[channel] = text
    return addresses


def buyers(refs: Refs, marketplace: Any, category: str = "") -> list[Recipient]:
    people = refs.audience or ([refs.buyer] if refs.buyer is not None else [])
    if not people:
        raise MissingRefError("a buyer event needs user_id, user_ids or an order")
    result = []
    for user in people:
        profile = getattr(user, "buyer_profile", None)
        storefront = refs.order.storefront if refs.order is not None else (
            profile.storefront if profile is not None else refs.event_storefront)
        if storefront is None:
            raise MissingRefError(f"buyer {user.pk} has no storefront to send from")
        result.append(Recipient(
            role=Role.BUYER, addresses=_buyer_addresses(user), user_id=user.pk,
            sender=_storefront_sender(storefront), language=_language(storefront),
        ))
    return result


def _company_choice(chosen: Any, category: str) -> tuple[Channel, ...] | None:
    """The channels a company chose for `category` in its notification settings (None: none
    chosen, use the event's defaults)."""
    if chosen is None or category not in (chosen.channels or {}):
        return None
    return tuple(Channel(c) for c in chosen.channels_for(category) if c in Channel.values)


def sellers(refs: Refs, marketplace: Any, category: str = "") -> list[Recipient]:
    company = refs.seller_company
    if company is None:
        raise MissingRefError("a seller event needs company_id or an order")
    try:
        chosen = company.notification_settings
    except ObjectDoesNotExist:
        chosen = None
    addresses = {
        Channel.EMAIL: company.email, Channel.SMS: phone_text(company.phone),
        Channel.TELEGRAM: chosen.telegram_id if chosen else "",
        Channel.VK: chosen.vk_id if chosen else "",
    }
    return [Recipient(
        role=Role.SELLER, addresses={k: v for k, v in addresses.items() if v},
        company_id=company.pk, sender=_storefront_sender(company.storefront),
        language=_language(company.storefront), channels=_company_choice(chosen, category),
    )]


def admins(refs: Refs, marketplace: Any, category: str = "") -> list[Recipient]:
    address = marketplace.all_storefronts_email
    return [Recipient(role=Role.ADMIN, addresses={Channel.EMAIL: address},
                      sender=_marketplace_sender(marketplace), language=settings.LANGUAGE_CODE)]


def warehouses(refs: Refs, marketplace: Any, category: str = "") -> list[Recipient]:
    company = refs.seller_company
    if company is None:
        raise MissingRefError("a warehouse event needs company_id or an order")
    try:  # the company's Telegram id reaches the warehouse too (stock-check requests)
        telegram = company.notification_settings.telegram_id
    except ObjectDoesNotExist:
        telegram = ""
    addresses = {Channel.EMAIL: company.warehouse_email,
                 Channel.SMS: phone_text(company.warehouse_phone), Channel.TELEGRAM: telegram}
    return [Recipient(
        role=Role.WAREHOUSE, addresses={k: v for k, v in addresses.items() if v},
        company_id=company.pk, sender=_marketplace_sender(marketplace),
        language=_language(company.storefront),
    )]


def quality(refs: Refs, marketplace: Any, category: str = "") -> list[Recipient]:
    return [Recipient(role=Role.QUALITY, addresses={Channel.EMAIL: marketplace.quality_email},
                      sender=_marketplace_sender(marketplace), language=settings.LANGUAGE_CODE)]


RESOLVERS: Mapping[Role, Callable[..., list[Recipient]]] = {
    Role.BUYER: buyers, Role.SELLER: sellers, Role.ADMIN: admins,
    Role.WAREHOUSE: warehouses, Role.QUALITY: quality,
}


def recipients_resolve(
    spec: EventSpec, variant: str, refs: Refs, marketplace: Any
) -> list[Recipient]:
    """Everyone who hears this occurrence, role by role (DESIGN.md section 6).

    A message is addressed to a ROLE: a seller event reaches the company address with the
    seller template even when the company's staff user also buys; a company's own channel
    choice (`CompanyNotificationSettings`) replaces the event's default seller channels. Buyer
    mail comes from the buyer's storefront company e-mail, seller mail from the seller's
    storefront company e-mail, admin / warehouse / quality mail from the all-storefronts
    e-mail (admin and quality also go to the marketplace-wide addresses)."""
    result: list[Recipient] = []
    for role in spec.roles_for(variant):
        result += RESOLVERS[role](refs, marketplace, category=spec.category)
    return result
