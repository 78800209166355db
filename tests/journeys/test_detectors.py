"""The time-based buyer scenarios end to end: detector -> outbox -> delivery -> SMTP sink, with
time moved by time-machine; running a detector twice sends once."""

import re
from datetime import date, datetime

import pytest

from journeys.detectors import detector_run
from marketplace import services
from marketplace.models import BuyerProfile
from tests import factories
from tests.journeys.conftest import MSK, NOW, SITE, only

pytestmark = pytest.mark.django_db


def products_in(text: str) -> list[str]:
    return re.findall(r"^- (.+?), \d+\.\d\d ₽", text, flags=re.M)


def twice(name: str) -> tuple[int, int]:
    """(sent by the first run, sent by a second run right after)."""
    return detector_run(name=name).sent, detector_run(name=name).sent


def person(shop, email, **profile):
    user = factories.UserFactory(email=email, username=email, first_name=email.split("@")[0]
                                 .capitalize())
    factories.BuyerProfileFactory(user=user, storefront=shop.storefront, **profile)
    return user


def buy(shop, buyer, *items):
    for product, quantity in items:
        services.cart_add(buyer=buyer, storefront=shop.storefront, product=product,
                          quantity=quantity)
    return services.order_place(buyer=buyer, storefront=shop.storefront,
                                shipping_method=shop.courier, delivery_address="Moscow")


# -- popular products before the first purchase ----------------------------------------------

def test_first_purchase_selection_goes_once_to_buyers_without_address_phone_or_order(
        shop, postman, clock, journey_settings):
    journey_settings.selection_size = 3
    journey_settings.save()
    newbie = person(shop, "newbie@example.org")
    person(shop, "complete@example.org", delivery_address="Moscow, Lenina 1",
           phone="+79161234567")
    person(shop, "unconfirmed@example.org", email_confirmed_at=None)
    regular = person(shop, "regular@example.org", phone="+79161234568")
    buy(shop, regular, (shop.black, 5), (shop.cup, 2))
    postman.deliver()
    clock.move(days=2)
    person(shop, "late@example.org")  # confirmed only a day before the run
    clock.move(days=1, minutes=1)

    assert twice("first_purchase") == (1, 0)
    [letter] = postman.deliver()
    assert letter.key == ("buyer.first_purchase_selection", "buyer", "email", newbie.email)
    assert letter.subject == f"Популярное в {shop.storefront.name}: выберите первую покупку"
    assert products_in(letter.text) == ["Black tea", "Small cup", "Big mug"]  # most ordered
    assert f"https://{shop.storefront.domain}/products/{shop.black.pk}/" in letter.html
    assert letter.unsubscribe.startswith(f"<{SITE}/n/u/")


# -- viewed products, nothing in the cart --------------------------------------------------

def test_viewed_but_not_added_gets_those_and_similar_products_after_n_hours(
        shop, postman, clock, journey_settings):
    journey_settings.selection_size = 2
    journey_settings.save()
    browser = person(shop, "browser@example.org")
    shopper = person(shop, "shopper@example.org")
    services.product_view_record(buyer=browser, product=shop.green)
    services.product_view_record(buyer=shopper, product=shop.oolong)
    clock.move(minutes=5)
    services.product_view_record(buyer=browser, product=shop.mug)
    services.cart_add(buyer=shopper, storefront=shop.storefront, product=shop.oolong)
    buy(shop, person(shop, "fan@example.org"), (shop.cup, 4))

    clock.move(hours=23)
    assert detector_run(name="browse").sent == 0  # not quiet long enough
    clock.move(hours=1)
    assert twice("browse") == (1, 0)
    letter = only(postman.deliver(), "buyer.browse_reminder")
    assert letter.to == browser.email
    assert letter.subject == "Вы смотрели — и вот похожие товары"
    viewed, similar = letter.text.split("похожие:")
    assert products_in(viewed) == ["Big mug", "Green tea"]  # latest view first
    assert products_in(similar) == ["Small cup", "Oolong"]  # best seller, then newest


def test_a_new_browsing_session_is_reminded_again_after_the_cooldown(shop, postman, clock):
    browser = person(shop, "browser@example.org")
    services.product_view_record(buyer=browser, product=shop.green)
    clock.move(hours=25)
    assert detector_run(name="browse").sent == 1
    clock.move(days=2)
    services.product_view_record(buyer=browser, product=shop.black)
    clock.move(hours=25)
    assert detector_run(name="browse").sent == 0  # one per week at most
    clock.move(days=4)
    services.product_view_record(buyer=browser, product=shop.oolong)
    clock.move(hours=25)
    assert detector_run(name="browse").sent == 1


# -- abandoned cart -------------------------------------------------------------------------

def test_abandoned_cart_reminder_lists_the_cart_once_per_version(shop, postman, clock):
    buyer = person(shop, "cart@example.org")
    stranger = person(shop, "stranger@example.org", email_confirmed_at=None)
    services.cart_add(buyer=buyer, storefront=shop.storefront, product=shop.mug, quantity=2)
    services.cart_add(buyer=buyer, storefront=shop.storefront, product=shop.green)
    services.cart_add(buyer=stranger, storefront=shop.storefront, product=shop.green)
    postman.deliver()
    clock.move(hours=3, minutes=59)
    assert detector_run(name="abandoned_cart").sent == 0
    clock.move(minutes=2)
    assert twice("abandoned_cart") == (1, 0)
    [letter] = postman.deliver()
    assert letter.key == ("cart.abandoned", "buyer", "email", buyer.email)
    assert letter.subject == "Вы оставили товары в корзине"
    assert "- Big mug × 2: 800.00 ₽ (осталось мало: 3 шт.)" in letter.text
    assert "- Green tea × 1: 300.00 ₽" in letter.text
    assert "Итого: 1100.00 ₽" in letter.text
    assert "могут закончиться, а цены — измениться" in letter.text
    assert f"https://{shop.storefront.domain}/cart/" in letter.html

    services.cart_add(buyer=buyer, storefront=shop.storefront, product=shop.cup)  # new version
    clock.move(hours=4, minutes=1)
    assert twice("abandoned_cart") == (1, 0)
    assert "Small cup" in postman.deliver()[0].text
    buy(shop, buyer)  # the cart becomes an order: nothing more
    clock.move(days=1)
    assert detector_run(name="abandoned_cart").candidates == 0


# -- inactive buyer ---------------------------------------------------------------------------

def test_inactive_buyer_gets_products_from_the_categories_bought_once_per_absence(
        shop, postman, clock, journey_settings):
    journey_settings.selection_size = 2
    journey_settings.save()
    buyer = person(shop, "loyal@example.org")
    buy(shop, buyer, (shop.green, 1))
    person(shop, "idle@example.org")  # never ordered
    postman.deliver()
    clock.move(days=59)
    assert detector_run(name="inactive").sent == 0
    clock.move(days=1, minutes=1)
    assert twice("inactive") == (1, 0)
    [letter] = postman.deliver()
    assert letter.key == ("buyer.inactive_reminder", "buyer", "email", buyer.email)
    assert products_in(letter.text) == ["Oolong", "Black tea"]  # tea, not the one bought
    assert "(Tea)" in letter.text

    services.buyer_touch_activity(user=buyer)  # comes back ...
    clock.move(days=30)
    assert detector_run(name="inactive").sent == 0
    clock.move(days=30, minutes=1)  # ... and goes quiet again: a new absence
    assert detector_run(name="inactive").sent == 1


# -- birthday -------------------------------------------------------------------------------

def test_birthday_greetings_once_a_year_with_age_and_gender(shop, postman, clock):
    anna = person(shop, "anna@example.org", birth_date=date(1990, 3, 10), gender="f")
    ivan = person(shop, "ivan@example.org", birth_date=date(2000, 3, 10), gender="m")
    person(shop, "other@example.org", birth_date=date(1990, 3, 11), gender="f")
    assert twice("birthday") == (2, 0)
    letters = {x.to: x for x in postman.deliver()}
    assert set(letters) == {anna.email, ivan.email}
    assert letters[anna.email].subject == "С днём рождения, Anna!"
    assert letters[anna.email].text.startswith("Дорогая Anna!")
    assert "с 36-летием" in letters[anna.email].text
    assert letters[ivan.email].text.startswith("Дорогой Ivan!")
    assert "с 26-летием" in letters[ivan.email].text
    clock.move(days=365)
    assert twice("birthday") == (2, 0)  # next year: again, once


def test_birthday_is_today_in_the_storefront_time_zone(shop, postman, time_machine):
    far_east = factories.StorefrontFactory(time_zone="Asia/Vladivostok")
    east = factories.BuyerProfileFactory(storefront=far_east, birth_date=date(1985, 3, 10),
                                         user__email="east@example.org").user
    person(shop, "west@example.org", birth_date=date(1985, 3, 10))
    time_machine.move_to(datetime(2026, 3, 9, 20, 0, tzinfo=MSK), tick=True)  # 03:00 there
    assert detector_run(name="birthday").sent == 1
    assert [x.to for x in postman.deliver()] == [east.email]


def test_29_february_birthdays_fall_on_28_february_in_common_years(shop, postman,
                                                                    time_machine):
    leap = person(shop, "leap@example.org", birth_date=date(2000, 2, 29))
    time_machine.move_to(datetime(2027, 2, 28, 10, 0, tzinfo=MSK), tick=True)
    assert detector_run(name="birthday").sent == 1
    assert "с 27-летием" in postman.deliver()[0].text
    assert BuyerProfile.objects.get(user=leap).birth_date == date(2000, 2, 29)


# -- switched off -----------------------------------------------------------------------

def test_a_scenario_switched_off_in_the_settings_sends_nothing(shop, clock, journey_settings):
    person(shop, "anna@example.org", birth_date=NOW.date(), gender="f")
    journey_settings.birthday_enabled = False
    journey_settings.save()
    report = detector_run(name="birthday")
    assert (report.enabled, report.sent) == (False, 0)
    journey_settings.birthday_enabled = True
    journey_settings.save()
    assert detector_run(name="birthday").sent == 1


def test_sold_out_views_still_get_similar_products(shop, postman, clock, journey_settings):
    from marketplace.models import Product

    journey_settings.selection_size = 2
    journey_settings.save()
    browser = person(shop, "browser@example.org")
    services.product_view_record(buyer=browser, product=shop.green)
    Product.objects.filter(pk=shop.green.pk).update(stock=0)
    clock.move(hours=25)
    assert detector_run(name="browse").sent == 1
    letter = only(postman.deliver(), "buyer.browse_reminder")
    assert "Green tea" not in letter.text and "Недавно вы смотрели" not in letter.text
    assert products_in(letter.text) == ["Oolong", "Black tea"]  # the same category
