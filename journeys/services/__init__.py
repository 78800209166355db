"""Services of the buyer journeys: the only way their state changes."""

from .confirmation import ConfirmResult, confirmation_request, email_confirm
from .coupons import CouponBook, coupon_issue, coupon_redeem, coupon_release
from .surveys import delivery_survey_answer, interests_answer, interests_invite

__all__ = [
    "ConfirmResult",
    "CouponBook",
    "confirmation_request",
    "coupon_issue",
    "coupon_redeem",
    "coupon_release",
    "delivery_survey_answer",
    "email_confirm",
    "interests_answer",
    "interests_invite",
]
