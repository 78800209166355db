"""The event catalogue: every notification event, who hears it, over which channels (one table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import UnknownEventError


class Role(models.TextChoices):
    """Whom a message addresses; one person may hold several roles (a seller who buys)."""

    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    ADMIN = "admin", _("Administrator")
    WAREHOUSE = "warehouse", _("Warehouse")
    QUALITY = "quality", _("Quality department")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    VK = "vk", _("VK")
    VIBER = "viber", _("Viber")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PUSH = "push", _("Mobile push")


class Category(models.TextChoices):
    """Transactional messages always go; marketing ones respect opt-outs and carry unsubscribe."""

    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


#: Roles whose mail goes out from (and through the Sendsay account of) a storefront; the other
#: roles get mail from the marketplace-wide address through the marketplace-wide account.
STOREFRONT_ROLES = frozenset({Role.BUYER, Role.SELLER})

#: Channels with a body of text only (everything but e-mail).
TEXT_CHANNELS = frozenset(set(Channel) - {Channel.EMAIL})


@dataclass(frozen=True)
class Audience:
    """One role hearing an event: its default channels, and (optionally) only some variants."""

    channels: tuple[Channel, ...] = (Channel.EMAIL,)
    variants: frozenset[str] | None = None  # None: every variant of the event

    def hears(self, variant: str) -> bool:
        return self.variants is None or variant in self.variants


@dataclass(frozen=True)
class EventSpec:
    """One event of the catalogue.

    `data` names the payload keys templates see: a key with a builder in `payloads.SECTIONS`
    (order, buyer, company ...) is built from the loaded objects, any other key is copied from
    the caller's refs and must be a JSON primitive. `variant_ref` names the ref that picks a
    template variant (the new order status); `variants` lists the values that have templates.
    `occurrence` names the refs that identify one occurrence (emitting it twice sends once).
    """

    name: str
    category: Category
    audiences: Mapping[Role, Audience]
    data: tuple[str, ...]
    description: str
    occurrence: tuple[str, ...] = ()
    variant_ref: str = ""
    variants: tuple[str, ...] = ()

    def roles_for(self, variant: str) -> list[Role]:
        return [role for role, audience in self.audiences.items() if audience.hears(variant)]

    def channels_for(self, role: Role) -> tuple[Channel, ...]:
        audience = self.audiences.get(role)
        return audience.channels if audience else ()

    @property
    def template_variants(self) -> tuple[str, ...]:
        return self.variants or ("",)


def _event(name: str, category: Category, audiences: dict[Role, Audience], **kw) -> EventSpec:
    return EventSpec(
        name=name, category=category, audiences=MappingProxyType(audiences), **kw
    )


EMAIL = Audience()
EMAIL_SMS = Audience(channels=(Channel.EMAIL, Channel.SMS))
ORDER_STATUSES = (
    "confirmed", "handed_to_carrier", "arrived_in_city", "at_pickup_point", "delivered",
    "cancelled",
)
T, M = Category.TRANSACTIONAL, Category.MARKETING

#: The catalogue. Adding an event is one row here plus its template files under
#: `templates/notifications/<lang>/<event_with_underscores>/<role>/`. Events with no audience
#: are announced by marketplace services for the Sendsay sync only and write no messages.
EVENTS: Mapping[str, EventSpec] = MappingProxyType({spec.name: spec for spec in (
    _event("buyer.registered", T, {Role.BUYER: EMAIL},
           data=("storefront", "buyer"), occurrence=("user",),
           description="A buyer registered on a storefront: welcome letter."),
    _event("buyer.email_confirmation", T, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "confirm_url"), occurrence=("user", "confirm_url"),
           description="Ask a buyer to confirm the e-mail address (a link per request)."),
    _event("order.placed", T,
           {Role.BUYER: EMAIL_SMS, Role.SELLER: EMAIL, Role.ADMIN: EMAIL},
           data=("storefront", "order", "buyer", "company"), occurrence=("order",),
           description="An order was placed: receipt to the buyer, a new order to the seller "
                       "and a copy to the marketplace administrators."),
    _event("order.status_changed", T,
           {Role.BUYER: EMAIL_SMS,
            Role.SELLER: Audience(variants=frozenset({"delivered", "cancelled"}))},
           data=("storefront", "order", "buyer", "company"), occurrence=("order", "status"),
           variant_ref="status", variants=ORDER_STATUSES,
           description="An order moved on: the buyer hears every step, the seller hears when "
                       "it is delivered or cancelled."),
    _event("seller.registered", T, {Role.SELLER: EMAIL, Role.ADMIN: EMAIL},
           data=("storefront", "company", "user"), occurrence=("company",),
           description="A seller registered: welcome to the company, a review request to the "
                       "administrators."),
    _event("storefront.announcement", M, {Role.BUYER: EMAIL},
           data=("storefront", "title", "text", "url"),
           description="News of a storefront to chosen buyers (pass user_ids and occurrence)."),
    # Buyer journeys (journeys/): signed links, surveys and the detectors' messages. The
    # detectors pass occurrence= (a cart and its change time, a birthday and its year ...).
    _event("buyer.email_confirmation_reminder", T, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "confirm_url", "reminder"),
           description="An unconfirmed buyer is reminded to confirm the e-mail (N days apart, "
                       "K times at most)."),
    _event("buyer.interest_survey", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "survey_url"), occurrence=("user",),
           description="E-mail confirmed: an invitation to choose the categories of interest."),
    _event("buyer.first_purchase_selection", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "selection"),
           description="Confirmed, no address or phone, no order after N days: popular "
                       "products."),
    _event("buyer.browse_reminder", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "viewed", "similar"),
           description="Viewed products, put none in the cart: those and similar products."),
    _event("cart.abandoned", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "cart"),
           description="A cart left for N hours without an order: the lines; stock and prices "
                       "may change."),
    _event("buyer.inactive_reminder", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "selection", "categories"),
           description="Ordered before, no visit for N days: products from those categories."),
    _event("buyer.birthday", M, {Role.BUYER: EMAIL},
           data=("storefront", "buyer", "age", "gender", "selection"),
           description="Birthday greetings (age and gender for the template)."),
    _event("order.delivery_survey", M, {Role.BUYER: EMAIL},
           data=("storefront", "order", "buyer", "survey_url"), occurrence=("order",),
           description="Delivered: rate the delivery (signed link; tied to the shipping "
                       "method)."),
    _event("order.delivery_survey_thanks", T, {Role.BUYER: EMAIL},
           data=("storefront", "order", "buyer", "coupon"), occurrence=("order",),
           description="Delivery survey answered: thanks and a single-use coupon code."),
    _event("order.delivery_rated_low", T, {Role.QUALITY: EMAIL},
           data=("storefront", "order", "buyer", "company", "rating", "comment"),
           occurrence=("order",),
           description="A delivery rated at or below the threshold: the order, its shipping "
                       "method and the comment to quality control."),
    # Seller chains, milestones and the warehouse flow (chains/). A chain letter carries
    # `subject` (shared by the chain's letters so mail clients thread them) and `step`; the
    # engine passes occurrence="chain:<enrolment>:<step>".
    _event("seller.onboarding", M, {Role.SELLER: EMAIL},
           data=("storefront", "company", "subject", "step"),
           variant_ref="letter", variants=("profile", "warehouse", "products"),
           description="Onboarding chain after registration, until the seller has products."),
    _event("seller.training", M, {Role.SELLER: EMAIL},
           data=("storefront", "company", "subject", "step"),
           variant_ref="letter", variants=("photos", "descriptions", "prices"),
           description="Training chain for a seller with products and no sales, until the "
                       "first sale."),
    _event("seller.milestone_reached", T, {Role.SELLER: EMAIL},
           data=("storefront", "company", "sales"), occurrence=("company", "sales"),
           variant_ref="kind", variants=("first_sale", "milestone"),
           description="Congratulations on the first sale and on 100, 500, 1,000 sales (the "
                       "thresholds are editable), once each."),
    _event("order.stock_check_requested", T,
           {Role.WAREHOUSE: Audience(channels=(Channel.EMAIL, Channel.TELEGRAM))},
           data=("storefront", "order", "company", "stock_check_url"), occurrence=("order",),
           description="An order was placed: the seller's warehouse marks each line available "
                       "or not behind a signed link."),
    _event("order.stock_confirmed", T, {Role.BUYER: EMAIL_SMS},
           data=("storefront", "order", "buyer", "company", "kept", "dropped"),
           occurrence=("order",),
           description="The warehouse answered: the buyer hears what will come and the new "
                       "total to pay."),
    _event("order.labels_ready", T, {Role.SELLER: EMAIL, Role.WAREHOUSE: EMAIL},
           data=("storefront", "order", "buyer", "company", "labels_url"), occurrence=("order",),
           description="Assembly confirmed: a signed link to the address labels PDF."),
    # Announced by marketplace services for the Sendsay sync; no message of their own (yet).
    _event("buyer.email_confirmed", T, {}, data=(), occurrence=("user",),
           description="A buyer confirmed the e-mail address (sync only)."),
    _event("buyer.profile_updated", T, {}, data=(), description="Profile changed (sync only)."),
    _event("cart.updated", T, {}, data=(), description="Basket changed (sync only)."),
    _event("product.updated", T, {}, data=(), description="Product changed (sync only)."),
    _event("product.viewed", T, {}, data=(), description="Product viewed (sync only)."),
    _event("company.status_changed", T, {}, data=(),
           description="A company was approved or disabled (sync only)."),
    _event("seller.staff_added", T, {}, data=(),
           description="A staff member joined a company (sync only)."),
)})


def event_spec(name: str) -> EventSpec:
    """The catalogue row for `name`; an unknown name is a programming error."""
    try:
        return EVENTS[name]
    except KeyError:
        raise UnknownEventError(f"unknown notification event {name!r}") from None


def template_keys() -> list[tuple[str, Role, Channel, str]]:
    """Every (event, role, channel, variant) that needs a template, in catalogue order."""
    keys = []
    for spec in EVENTS.values():
        for variant in spec.template_variants:
            for role in spec.roles_for(variant):
                keys += [(spec.name, role, channel, variant) for channel in spec.channels_for(role)]
    return keys
