"""The code registry the admin picks from: chain triggers, exit conditions and chain letters.

An exit condition is a set-based SQL expression (an `Exists` over the enrolment's recipient),
so the engine checks it for any number of enrolments in one query. Triggers are names the
receivers fire when a business change happens (`receivers.py`). Chain letters are catalogue
events whose payload carries `subject` and `step` (and, per variant, one letter each).
Other apps register more with `condition_register` / `trigger_register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Exists, Expression, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _

from notifications.events import EVENTS, Role

from .exceptions import UnknownConditionError

#: The recipient field of an enrolment per audience role.
RECIPIENT_FIELD = {Role.SELLER: "company_id", Role.BUYER: "user_id"}
#: Payload keys a chain letter must carry (and may carry besides the payload sections).
LETTER_KEYS = frozenset({"subject", "step"})


@dataclass(frozen=True)
class Condition:
    """An exit condition: `build(outer)` is an Exists over the recipient id `OuterRef(outer)`."""

    code: str
    label: str
    audience: str
    build: Callable[[OuterRef], Expression]


@dataclass(frozen=True)
class Trigger:
    code: str
    label: str
    audience: str


CONDITIONS: dict[str, Condition] = {}
TRIGGERS: dict[str, Trigger] = {}


def condition_register(condition: Condition) -> Condition:
    CONDITIONS[condition.code] = condition
    return condition


def trigger_register(trigger: Trigger) -> Trigger:
    TRIGGERS[trigger.code] = trigger
    return trigger


def condition_get(code: str) -> Condition:
    try:
        return CONDITIONS[code]
    except KeyError:
        raise UnknownConditionError(f"unknown exit condition {code!r}") from None


def condition_holds(code: str, audience: str) -> Expression:
    """The condition as a boolean expression over an enrolment row (its recipient column)."""
    return condition_get(code).build(OuterRef(RECIPIENT_FIELD[Role(audience)]))


def exit_expression(codes: set[str]) -> Expression:
    """True for an enrolment whose chain's exit condition holds: one CASE over `codes`."""
    whens = [
        When(chain__exit_condition=code, chain__audience=cond.audience,
             then=cond.build(OuterRef(RECIPIENT_FIELD[Role(cond.audience)])))
        for code in sorted(codes) if (cond := CONDITIONS.get(code)) is not None
    ]
    if not whens:
        return Value(False, output_field=BooleanField())
    return Case(*whens, default=Value(False), output_field=BooleanField())


def chain_letters(audience: str | None = None) -> list[tuple[str, str, str]]:
    """(event, variant, label) of every chain letter in the catalogue, optionally for a role."""
    letters = []
    for spec in EVENTS.values():
        if not set(spec.data) >= LETTER_KEYS:
            continue
        if audience is not None and Role(audience) not in spec.audiences:
            continue
        for variant in spec.template_variants:
            label = f"{spec.name}: {variant}" if variant else spec.name
            letters.append((spec.name, variant, label))
    return letters


# -- the seller scenarios ----------------------------------------------------------------------


def _has_products(outer: OuterRef) -> Expression:
    from marketplace.models import Product

    return Exists(Product.objects.filter(company_id=outer))


def _has_sales(outer: OuterRef) -> Expression:
    """A sale is a DELIVERED order (the vendor dashboard counts sales the same way)."""
    from marketplace.models import Order, OrderStatus

    return Exists(Order.objects.filter(company_id=outer, status=OrderStatus.DELIVERED))


SELLER_HAS_PRODUCTS = condition_register(Condition(
    "seller_has_products", _("The seller has products"), Role.SELLER, _has_products))
SELLER_HAS_SALES = condition_register(Condition(
    "seller_has_sales", _("The seller has sales (a delivered order)"), Role.SELLER, _has_sales))
SELLER_REGISTERED = trigger_register(Trigger(
    "seller.registered", _("A seller company registered"), Role.SELLER))
SELLER_PRODUCT_ADDED = trigger_register(Trigger(
    "seller.product_added", _("A seller added a product"), Role.SELLER))
