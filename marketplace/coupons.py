"""Coupons at checkout, the pure part: what a coupon gives, how it splits over a checkout's orders,
and the hook through which the app that keeps coupons (journeys) redeems and returns them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from marketplace.models import Order, Storefront, User

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CouponTerms:
    """A redeemed coupon: `percent` off the goods or a fixed `amount` off them (exactly one)."""

    code: str
    percent: int | None = None
    amount: Decimal | None = None


class CouponBook(Protocol):
    """Keeps the coupons. Both methods run inside the order service's transaction.

    `redeem` marks the coupon used by `order` in one atomic step (two concurrent redemptions:
    exactly one succeeds) and returns its terms, or raises CouponRefusedError saying why and
    changes nothing. `release` makes the coupon redeemable again.
    """

    def redeem(self, *, code: str, buyer: User, storefront: Storefront, order: Order
               ) -> CouponTerms: ...

    def release(self, *, code: str) -> None: ...


_book: CouponBook | None = None


def coupon_book_connect(book: CouponBook | None) -> None:
    """Plug in the coupon keeper (journeys does in `ready()`; marketplace must not import it)."""
    global _book
    _book = book


def coupon_book() -> CouponBook | None:
    """The connected coupon keeper, or None when no app keeps coupons."""
    return _book


def percent_off(subtotal: Decimal, percent: int) -> Decimal:
    """`percent` % of `subtotal`, rounded half up to the cent."""
    return (subtotal * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def discounts_split(terms: CouponTerms, subtotals: list[Decimal]) -> list[Decimal]:
    """The discount on each order of one checkout, in the order of `subtotals`.

    A percent coupon takes its percent off each order's goods. An amount coupon is capped at
    the goods' sum and shared in proportion to the subtotals, to the cent: each order gets the
    cents below its exact share, the cents left go to the largest remainders (so no order's
    discount exceeds its subtotal and the shares add up to the amount). Shipping is never
    discounted.
    """
    if terms.percent is not None:
        return [percent_off(subtotal, terms.percent) for subtotal in subtotals]
    weights = [int(subtotal * 100) for subtotal in subtotals]
    whole = sum(weights)
    if not whole:
        return [Decimal("0.00") for _ in subtotals]
    cents = min(int(terms.amount * 100), whole)
    exact = [cents * weight for weight in weights]
    shares = [value // whole for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] % whole), i))
    for i in by_remainder[: cents - sum(shares)]:
        shares[i] += 1
    return [(Decimal(share) / 100).quantize(CENT) for share in shares]
