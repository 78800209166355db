"""Errors the marketplace services raise; each carries a message fit to show a user."""

from django.core.exceptions import ValidationError


class MarketplaceError(ValidationError):
    """Root of the marketplace's business-rule errors (a ValidationError, so forms show it)."""


class TransitionNotAllowedError(MarketplaceError):
    """An order status change that the lifecycle does not allow."""


class EmailNotConfirmedError(MarketplaceError):
    """The buyer must confirm the e-mail address before placing an order."""


class OutOfStockError(MarketplaceError):
    """A product cannot be ordered in the requested quantity."""


class EmptyCartError(MarketplaceError):
    """There is nothing to order."""


class CouponRefusedError(MarketplaceError):
    """A coupon code the order cannot take: unknown, someone else's, used, expired or for
    another storefront. The order is not placed; the cart stays as it was."""
