"""Errors of the buyer journeys: one root; each message is fit to show the person concerned."""

from marketplace.exceptions import CouponRefusedError


class JourneyError(Exception):
    """Root of the journeys' business-rule errors."""


class AlreadyAnsweredError(JourneyError):
    """A survey link that has been used already (nothing is changed)."""


class CouponError(JourneyError, CouponRefusedError):
    """A coupon that cannot be redeemed: unknown, someone else's, used, expired or for another
    storefront. Also the checkout's CouponRefusedError, so forms and the admin show it."""
