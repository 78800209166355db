"""Coupons: single-use discount codes given to a buyer (the delivery survey's thank-you),
redeemed and given back by the marketplace checkout through `CouponBook`."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journeys.exceptions import CouponError
from journeys.models import Coupon
from marketplace.coupons import CouponTerms
from marketplace.models import Order, Storefront, User

#: No 0/O, 1/I/L: codes get typed in by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
ATTEMPTS = 5


def code_make() -> str:
    """A random code like `GIFT-7KQ3X-M9TZA` (about 50 bits from `secrets`)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"GIFT-{raw[:5]}-{raw[5:]}"


def coupon_issue(*, buyer: User, storefront: Storefront, percent: int | None = None,
                 amount: Decimal | None = None, valid_days: int, reason: str = "") -> Coupon:
    """Create a coupon for `buyer` with a new unique code: `percent` off or `amount` off
    (exactly one), valid for `valid_days` days. A code clash (astronomically rare) draws a
    new code. Raises ValueError for a wrong percent/amount pair."""
    if (percent is None) == (amount is None):
        raise ValueError("give a coupon either a percent or an amount")
    valid_until = timezone.now() + timedelta(days=valid_days)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    code=code_make(), buyer=buyer, storefront=storefront, percent=percent,
                    amount=amount, valid_until=valid_until, reason=reason[:200])
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def coupon_redeem(*, code: str, buyer: User, storefront: Storefront,
                  order: Order | None = None) -> Coupon:
    """Use the coupon `code` of `buyer` on `storefront` once, for `order`: one conditional
    UPDATE, so of two concurrent uses exactly one succeeds. Raises CouponError saying why
    when the code is unknown or someone else's, was used, is for another storefront or has
    expired (nothing changes then). Case and surrounding spaces of `code` do not matter."""
    code, now = code.strip().upper(), timezone.now()
    used = Coupon.objects.filter(
        code=code, buyer=buyer, storefront=storefront, used_at__isnull=True, valid_until__gt=now
    ).update(used_at=now, used_order=order)
    coupon = Coupon.objects.select_related("storefront").filter(code=code).first()
    if used == 1:
        return coupon
    if coupon is None or coupon.buyer_id != buyer.pk:
        raise CouponError(_("There is no such coupon code."), code="coupon_unknown")
    if coupon.used_at is not None:
        raise CouponError(_("This coupon has already been used."), code="coupon_used")
    if coupon.storefront_id != storefront.pk:
        raise CouponError(_("This coupon is for the storefront %(storefront)s only."),
                          code="coupon_other_storefront",
                          params={"storefront": coupon.storefront.name})
    raise CouponError(_("This coupon has expired."), code="coupon_expired")


def coupon_release(*, code: str) -> bool:
    """Make the used coupon `code` redeemable again (its order was cancelled before shipping);
    it keeps its validity date, so an expired one stays expired. True if one was released."""
    return bool(Coupon.objects.filter(code=code, used_at__isnull=False)
                .update(used_at=None, used_order=None))


class CouponBook:
    """The journeys' coupons as the marketplace checkout's coupon keeper (`CouponBook`)."""

    def redeem(self, *, code: str, buyer: User, storefront: Storefront,
               order: Order) -> CouponTerms:
        coupon = coupon_redeem(code=code, buyer=buyer, storefront=storefront, order=order)
        return CouponTerms(code=coupon.code, percent=coupon.percent, amount=coupon.amount)

    def release(self, *, code: str) -> None:
        coupon_release(code=code)
