"""Detector about delivered orders: the delivery survey, sent `delivery_survey_hours` after
the order was delivered (ONE query finds the orders)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Subquery

from journeys import links
from journeys.models import DeliverySurveyAnswer, JourneySettings, Scenario
from marketplace.models import Order, OrderStatus, OrderStatusChange

from .base import Emission, confirmed_buyers, logged

#: Orders delivered longer ago than this (plus the wait) are not asked about any more.
SURVEY_WINDOW = timedelta(days=14)
#: Orders placed longer ago than this are not looked at (keeps the scan on recent orders).
ORDER_AGE_MAX = timedelta(days=120)


def delivery_survey(settings: JourneySettings, now: datetime) -> list[Emission]:
    """Delivered orders, delivered between `delivery_survey_hours` and two weeks more ago,
    not answered and not asked yet: a survey link tied to the order (and so to its
    shipping method)."""
    due = now - timedelta(hours=settings.delivery_survey_hours)
    delivered = OrderStatusChange.objects.filter(
        order=OuterRef("pk"), to_status=OrderStatus.DELIVERED).order_by("-changed_at")
    rows = (
        Order.objects.filter(confirmed_buyers("buyer__"), status=OrderStatus.DELIVERED,
                             created_at__gte=now - ORDER_AGE_MAX)
        .annotate(delivered_at=Subquery(delivered.values("changed_at")[:1]))
        .filter(delivered_at__lte=due, delivered_at__gte=due - SURVEY_WINDOW)
        .filter(~Exists(DeliverySurveyAnswer.objects.filter(order=OuterRef("pk"))))
        .filter(~Exists(logged(Scenario.DELIVERY_SURVEY, subject_id=OuterRef("pk"))))
        .order_by("delivered_at", "pk")
        .values_list("pk", "buyer_id")[: settings.max_per_run]
    )
    return [
        Emission(
            event="order.delivery_survey", user_id=user_id,
            occurrence=f"delivery-survey:{order_id}", subject_id=order_id,
            refs={"order_id": order_id,
                  "survey_url": links.delivery_survey_url(user_id=user_id, order_id=order_id)},
        )
        for order_id, user_id in rows
    ]
