"""App config for the buyer journeys; connects the profile-lifecycle receivers and the coupons."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = _("Buyer journeys")

    def ready(self) -> None:
        from marketplace.coupons import coupon_book_connect

        from . import signals  # noqa: F401  (connects the receivers)
        from .services import CouponBook

        coupon_book_connect(CouponBook())  # the checkout redeems our coupons
