"""The detectors of the time-based buyer scenarios, by name (the name is the Celery beat
task's argument and the benchmark's label). Other scenarios add their own rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from journeys.models import JourneySettings, Scenario

from .base import Detector, DetectorReport, Emission, detector_execute
from .buyers import birthday, confirmation_reminders, first_purchase, inactive
from .orders import delivery_survey
from .shopping import abandoned_carts, browse

DETECTORS: Mapping[str, Detector] = MappingProxyType({
    "confirmation_reminder": Detector(
        Scenario.CONFIRMATION_REMINDER, confirmation_reminders,
        "Unconfirmed e-mail: up to K reminders, N days apart."),
    "first_purchase": Detector(
        Scenario.FIRST_PURCHASE, first_purchase,
        "Confirmed, no address or phone, no order after N days: popular products."),
    "browse": Detector(
        Scenario.BROWSE, browse,
        "Viewed products, nothing in the cart for N hours: those and similar products."),
    "abandoned_cart": Detector(
        Scenario.ABANDONED_CART, abandoned_carts,
        "Cart unchanged for N hours without an order: a reminder listing it."),
    "inactive": Detector(
        Scenario.INACTIVE, inactive,
        "Ordered before, no visit for N days: products from the categories bought."),
    "birthday": Detector(Scenario.BIRTHDAY, birthday, "Birthday today: greetings."),
    "delivery_survey": Detector(
        Scenario.DELIVERY_SURVEY, delivery_survey,
        "Delivered N hours ago: a delivery survey with a signed link."),
})

__all__ = ["DETECTORS", "Detector", "DetectorReport", "Emission", "detector_plan",
           "detector_run"]


def _detector(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        raise KeyError(f"unknown journey detector {name!r}; known: {', '.join(DETECTORS)}") \
            from None


def detector_run(*, name: str, now: datetime | None = None) -> DetectorReport:
    """Run the detector `name` once: find its candidates, emit a message occurrence for
    each (idempotent: its occurrence key), log them. Does nothing when the scenario is
    switched off in the journey settings. Raises KeyError for an unknown name."""
    return detector_execute(name, _detector(name), now=now)


def detector_plan(*, name: str, now: datetime,
                  settings: JourneySettings | None = None) -> list[Emission]:
    """What `detector_run` would send at `now`, without sending (tests, the benchmark)."""
    return _detector(name).plan(settings or JourneySettings.load(), now)
