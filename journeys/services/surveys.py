"""Surveys behind signed links: the interest survey (categories the buyer cares about) and the
delivery survey (a rating and a comment per delivered order, thanked with a coupon)."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

import notifications
from journeys import links
from journeys.exceptions import AlreadyAnsweredError, JourneyError
from journeys.models import DeliverySurveyAnswer, InterestSurveyAnswer, JourneySettings
from marketplace.models import Category, Order, OrderStatus, User
from marketplace.services import buyer_set_interests

from .coupons import coupon_issue

COMMENT_MAX = 2000


def interests_invite(*, user_id: int) -> list[int]:
    """Write the `buyer.interest_survey` invitation (once per buyer; marketing, so it
    respects opt-outs and carries an unsubscribe link). Returns the outbox ids."""
    return notifications.emit("buyer.interest_survey", user_id=user_id,
                              survey_url=links.interests_url(user_id=user_id))


def interests_answer(*, user: User, category_ids: Iterable[int]) -> InterestSurveyAnswer:
    """Store the buyer's answer: the chosen categories become the profile's interests
    (through `buyer_set_interests`), which later selections use.

    Raises AlreadyAnsweredError when the buyer answered before (nothing changes), ValidationError
    for an unknown category, MarketplaceError when the user is not a buyer."""
    wanted = set(category_ids)
    categories = list(Category.objects.filter(pk__in=wanted))
    if len(categories) != len(wanted):
        raise ValidationError(_("Choose categories from the list."), code="invalid_category")
    with transaction.atomic():
        try:
            with transaction.atomic():
                answer = InterestSurveyAnswer.objects.create(
                    user=user, categories_count=len(categories))
        except IntegrityError:
            raise AlreadyAnsweredError(_("You have already answered this survey.")) from None
        buyer_set_interests(user=user, categories=categories)
    return answer


def delivery_survey_answer(*, order_id: int, user_id: int, rating: int,
                           comment: str = "") -> DeliverySurveyAnswer:
    """Store the buyer's rating (1-5) and comment of a delivered order's delivery, tied to its
    shipping method; give a thank-you coupon (JourneySettings) and send
    `order.delivery_survey_thanks` with its code; a rating at or below `low_rating` also sends
    `order.delivery_rated_low` to the quality-control department. One transaction.

    Raises AlreadyAnsweredError for a second answer, JourneyError when the order is not the
    buyer's or not delivered, ValidationError for a bad rating or an over-long comment; nothing
    changes in those cases."""
    comment = (comment or "").strip()
    _answer_check(rating, comment)
    with transaction.atomic():
        order = (Order.objects.select_for_update().select_related("storefront", "buyer")
                 .filter(pk=order_id, buyer_id=user_id).first())
        if order is None or order.status != OrderStatus.DELIVERED:
            raise JourneyError(_("This order cannot be rated."))
        if DeliverySurveyAnswer.objects.filter(order=order).exists():
            raise AlreadyAnsweredError(_("You have already rated this delivery. Thank you!"))
        conf = JourneySettings.load()
        coupon = coupon_issue(
            buyer=order.buyer, storefront=order.storefront, percent=conf.coupon_percent,
            amount=conf.coupon_amount, valid_days=conf.coupon_valid_days,
            reason=f"delivery survey, order {order.number}")
        low = rating <= conf.low_rating
        answer = DeliverySurveyAnswer.objects.create(
            order=order, buyer=order.buyer, shipping_method_id=order.shipping_method_id,
            rating=rating, comment=comment, coupon=coupon, quality_notified=low)
        until = coupon.valid_until.astimezone(ZoneInfo(order.storefront.time_zone))
        notifications.emit("order.delivery_survey_thanks", order_id=order.pk, coupon={
            "code": coupon.code, "discount": coupon.discount_text,
            "valid_until": until.strftime("%d.%m.%Y"),
        })
        if low:
            notifications.emit("order.delivery_rated_low", order_id=order.pk, rating=rating,
                               comment=comment)
    return answer


def _answer_check(rating: int, comment: str) -> None:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Please keep the comment under %(max)d characters.")
             % {"max": COMMENT_MAX}})
