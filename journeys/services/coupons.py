"""Coupons: single-use discount codes given to a buyer (the delivery survey's thank-you)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journeys.exceptions import CouponError
from journeys.models import Coupon
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


def coupon_redeem(*, code: str, buyer: User, order: Order | None = None) -> Coupon:
    """Use the coupon `code` of `buyer` once: one conditional UPDATE, so two concurrent uses
    cannot both succeed. Raises CouponError saying why when the code is unknown, belongs to
    someone else, was used or has expired (nothing changes then)."""
    code, now = code.strip().upper(), timezone.now()
    used = Coupon.objects.filter(
        code=code, buyer=buyer, used_at__isnull=True, valid_until__gt=now
    ).update(used_at=now, used_order=order)
    coupon = Coupon.objects.filter(code=code).first()
    if used == 1:
        return coupon
    if coupon is None or coupon.buyer_id != buyer.pk:
        raise CouponError(_("There is no such coupon code."))
    if coupon.used_at is not None:
        raise CouponError(_("This coupon has already been used."))
    raise CouponError(_("This coupon has expired."))
