"""Errors of the buyer journeys: one root; each message is fit to show the person concerned."""


class JourneyError(Exception):
    """Root of the journeys' business-rule errors."""


class AlreadyAnsweredError(JourneyError):
    """A survey link that has been used already (nothing is changed)."""


class CouponError(JourneyError):
    """A coupon that cannot be redeemed: unknown, someone else's, used or expired."""
