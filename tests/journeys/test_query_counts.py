"""A detector's queries do not grow with its candidates: finding them (and their products) costs
the same for 1 and for 30; sending costs a fixed number of queries per message."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from journeys.detectors import detector_plan, detector_run
from marketplace.models import OrderStatus, OrderStatusChange
from marketplace.services import buyer_touch_activity, cart_add, product_view_record
from tests import factories
from tests.journeys.conftest import NOW

pytestmark = pytest.mark.django_db

LATER = NOW + timedelta(days=70)


def _buyer(shop, **profile):
    return factories.BuyerProfileFactory(storefront=shop.storefront, **profile).user


def unconfirmed(shop):
    _buyer(shop, email_confirmed_at=None)


def newcomer(shop):
    _buyer(shop)


def browser(shop):
    product_view_record(buyer=_buyer(shop), product=shop.green)


def cart(shop):
    cart_add(buyer=_buyer(shop), storefront=shop.storefront, product=shop.cup)


def _order(shop, buyer, status=OrderStatus.PLACED):
    order = factories.OrderFactory(company=shop.company, buyer=buyer, status=status,
                                   shipping_method=shop.courier)
    factories.OrderLineFactory(order=order, product=shop.green)
    return order


def lapsed(shop):
    buyer = _buyer(shop)
    _order(shop, buyer)
    buyer_touch_activity(user=buyer)


def born_today(shop):
    _buyer(shop, birth_date=date(1990, LATER.month, LATER.day))


def delivered(shop):
    order = _order(shop, _buyer(shop), status=OrderStatus.DELIVERED)
    OrderStatusChange.objects.bulk_create([OrderStatusChange(
        order=order, from_status="at_pickup_point", to_status=OrderStatus.DELIVERED)])


CASES = {
    "confirmation_reminder": (unconfirmed, LATER - timedelta(days=60)),
    "first_purchase": (newcomer, LATER - timedelta(days=60)),
    "browse": (browser, LATER - timedelta(days=2)),
    "abandoned_cart": (cart, LATER - timedelta(days=2)),
    "inactive": (lapsed, LATER - timedelta(days=61)),
    "birthday": (born_today, LATER - timedelta(days=1)),
    "delivery_survey": (delivered, LATER - timedelta(days=2)),
}


class _Rollback(Exception):
    pass


def queries(action) -> tuple[int, object]:
    """Queries `action` runs; what it changed is rolled back."""
    result = None
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            result = action()
            raise _Rollback
    except _Rollback:
        pass
    return len(captured), result


@pytest.mark.parametrize("name", list(CASES))
def test_finding_candidates_costs_the_same_for_1_and_30(name, shop, journey_settings,
                                                        time_machine):
    make, created_at = CASES[name]
    time_machine.move_to(created_at, tick=True)
    make(shop)
    time_machine.move_to(LATER, tick=True)
    one, plan = queries(lambda: detector_plan(name=name, now=LATER))
    assert len(plan) == 1

    time_machine.move_to(created_at, tick=True)
    for _ in range(29):
        make(shop)
    time_machine.move_to(LATER, tick=True)
    thirty, plan = queries(lambda: detector_plan(name=name, now=LATER))
    assert len(plan) == 30
    assert thirty == one


def test_sending_costs_a_fixed_number_of_queries_per_message(shop, journey_settings,
                                                             time_machine):
    time_machine.move_to(NOW, tick=True)
    cart(shop)
    time_machine.move_to(NOW + timedelta(hours=5), tick=True)
    one, report = queries(lambda: detector_run(name="abandoned_cart"))
    assert report.sent == 1
    time_machine.move_to(NOW, tick=True)
    cart(shop)
    time_machine.move_to(NOW + timedelta(hours=5), tick=True)
    two, report = queries(lambda: detector_run(name="abandoned_cart"))
    per_message = two - one
    time_machine.move_to(NOW, tick=True)
    for _ in range(28):
        cart(shop)
    time_machine.move_to(NOW + timedelta(hours=5), tick=True)
    thirty, report = queries(lambda: detector_run(name="abandoned_cart"))
    assert report.sent == 30
    assert thirty - one == 29 * per_message
    assert per_message <= 12
