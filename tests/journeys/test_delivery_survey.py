"""Delivered -> delivery survey (signed link, tied to the shipping method) -> thanks with a real
single-use coupon; a low rating -> the quality-control department gets the order, the shipping
method and the comment. Reused, forged or expired links change nothing."""

import re

import pytest

from journeys import links
from journeys.detectors import detector_run
from journeys.exceptions import CouponError
from journeys.models import Coupon, DeliverySurveyAnswer
from journeys.services import coupon_redeem
from marketplace import services
from marketplace.models import OrderStatus
from tests import factories
from tests.journeys.conftest import SITE, only

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(shop, clock):
    """An order of a confirmed buyer, delivered at NOW by courier."""
    buyer = factories.BuyerProfileFactory(storefront=shop.storefront,
                                          user__email="anna@example.org",
                                          user__first_name="Anna").user
    services.cart_add(buyer=buyer, storefront=shop.storefront, product=shop.green)
    [order] = services.order_place(buyer=buyer, storefront=shop.storefront,
                                   shipping_method=shop.courier, delivery_address="Moscow")
    for status in (OrderStatus.CONFIRMED, OrderStatus.HANDED_TO_CARRIER,
                   OrderStatus.ARRIVED_IN_CITY, OrderStatus.DELIVERED):
        services.order_set_status(order=order, status=status)
    return order


def survey_path(postman) -> str:
    letter = only(postman.deliver(), "order.delivery_survey")
    return re.search(rf"{re.escape(SITE)}(/j/delivery/\S+/)", letter.text).group(1)


def test_survey_goes_after_n_hours_once_and_the_answer_is_thanked_with_a_coupon(
        delivered, postman, client, clock, journey_settings):
    postman.deliver()
    clock.move(hours=23)
    assert detector_run(name="delivery_survey").sent == 0
    clock.move(hours=1, minutes=1)
    assert detector_run(name="delivery_survey").sent == 1
    assert detector_run(name="delivery_survey").sent == 0  # twice: once
    letter = only(postman.deliver(), "order.delivery_survey")
    assert letter.key == ("order.delivery_survey", "buyer", "email", "anna@example.org")
    assert letter.subject == f"Как прошла доставка заказа №{delivered.number}?"
    assert "(Courier)" in letter.text and letter.unsubscribe
    path = re.search(rf"{re.escape(SITE)}(/j/delivery/\S+/)", letter.text).group(1)

    page = client.get(path)
    assert page.status_code == 200 and "Courier" in page.text
    done = client.post(path, {"rating": "5", "comment": "Fast and polite"})
    assert done.status_code == 200
    answer = DeliverySurveyAnswer.objects.get(order=delivered)
    assert (answer.rating, answer.comment, answer.shipping_method) == (
        5, "Fast and polite", shop_courier(delivered))
    coupon = answer.coupon
    assert coupon.code in done.text
    assert (coupon.buyer, coupon.storefront, coupon.percent, coupon.used_at) == (
        delivered.buyer, delivered.storefront, journey_settings.coupon_percent, None)
    assert re.fullmatch(r"GIFT-[A-Z2-9]{5}-[A-Z2-9]{5}", coupon.code)
    [thanks] = postman.deliver()  # no quality e-mail for a 5
    assert thanks.key == ("order.delivery_survey_thanks", "buyer", "email", "anna@example.org")
    assert thanks.subject == f"Спасибо за отзыв! Ваш промокод {coupon.code}"
    assert "скидку 5%" in thanks.text and thanks.unsubscribe == ""  # transactional
    clock.move(days=2)
    assert detector_run(name="delivery_survey").candidates == 0  # answered: never again


def shop_courier(order):
    return order.shipping_method


def test_low_rating_reaches_quality_control_with_order_method_and_comment(
        delivered, postman, client, clock, journey_settings):
    journey_settings.low_rating = 2
    journey_settings.save()
    clock.move(hours=25)
    detector_run(name="delivery_survey")
    path = survey_path(postman)
    client.post(path, {"rating": "2", "comment": "Two hours late,\nno call"})
    letters = {x.event: x for x in postman.deliver()}
    assert set(letters) == {"order.delivery_survey_thanks", "order.delivery_rated_low"}
    quality = letters["order.delivery_rated_low"]
    assert quality.key == ("order.delivery_rated_low", "quality", "email",
                           "quality@market.example.ru")
    assert quality.subject == (f"Низкая оценка доставки: 2/5, заказ №{delivered.number} "
                               "(Courier)")
    assert "Способ доставки: Courier" in quality.text
    assert f"Заказ: №{delivered.number}" in quality.text
    assert "Two hours late,\nno call" in quality.text
    assert "Two hours late,<br>no call" in quality.html
    assert "anna@example.org" in quality.text
    assert DeliverySurveyAnswer.objects.get().quality_notified


def test_rating_above_the_threshold_does_not_bother_quality(delivered, postman, client, clock):
    clock.move(hours=25)
    detector_run(name="delivery_survey")
    client.post(survey_path(postman), {"rating": "3", "comment": ""})
    assert [x.event for x in postman.deliver()] == ["order.delivery_survey_thanks"]


def test_reused_forged_and_expired_survey_links_change_nothing(
        delivered, postman, client, clock, settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 14
    path = links.delivery_survey_url(user_id=delivered.buyer_id,
                                     order_id=delivered.pk).removeprefix(SITE)
    client.post(path, {"rating": "4", "comment": "ok"})
    postman.deliver()
    again = client.post(path, {"rating": "1", "comment": "changed my mind"})
    assert again.status_code == 409 and "уже оценили" in again.text
    assert client.get(path).status_code == 409
    assert (DeliverySurveyAnswer.objects.get().rating, Coupon.objects.count()) == (4, 1)
    assert postman.deliver() == []

    stranger = factories.BuyerProfileFactory(storefront=delivered.storefront).user
    other = links.delivery_survey_url(user_id=stranger.pk,
                                      order_id=delivered.pk).removeprefix(SITE)
    assert client.get(other).status_code == 400  # not the buyer's order
    token = path.split("/")[3]
    assert client.post(path.replace(token, token[:-3] + "abc"),
                       {"rating": "1"}).status_code == 400
    clock.move(days=15)
    assert client.get(path).status_code == 410
    assert (DeliverySurveyAnswer.objects.count(), Coupon.objects.count()) == (1, 1)


def test_expired_link_before_answering_changes_nothing(delivered, client, clock, settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 14
    path = links.delivery_survey_url(user_id=delivered.buyer_id,
                                     order_id=delivered.pk).removeprefix(SITE)
    clock.move(days=14, minutes=1)
    page = client.post(path, {"rating": "1", "comment": "late"})
    assert page.status_code == 410
    assert not DeliverySurveyAnswer.objects.exists() and not Coupon.objects.exists()


def test_a_bad_rating_is_refused_clearly(delivered, client):
    path = links.delivery_survey_url(user_id=delivered.buyer_id,
                                     order_id=delivered.pk).removeprefix(SITE)
    page = client.post(path, {"rating": "9", "comment": "x"})
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert not DeliverySurveyAnswer.objects.exists()


def test_a_coupon_works_once_for_its_buyer_only(delivered, client, clock):
    path = links.delivery_survey_url(user_id=delivered.buyer_id,
                                     order_id=delivered.pk).removeprefix(SITE)
    client.post(path, {"rating": "5"})
    coupon = Coupon.objects.get()
    stranger = factories.BuyerProfileFactory(storefront=delivered.storefront).user
    with pytest.raises(CouponError, match="Такого промокода нет"):
        coupon_redeem(code=coupon.code, buyer=stranger, storefront=delivered.storefront)
    used = coupon_redeem(code=coupon.code.lower(), buyer=delivered.buyer,
                         storefront=delivered.storefront, order=delivered)
    assert used.used_at is not None and used.used_order == delivered
    with pytest.raises(CouponError, match="уже использован"):
        coupon_redeem(code=coupon.code, buyer=delivered.buyer, storefront=delivered.storefront)
    assert Coupon.objects.get().used_at == used.used_at


def test_an_expired_coupon_is_refused(delivered, client, clock, journey_settings):
    journey_settings.coupon_valid_days = 30
    journey_settings.save()
    client.post(links.delivery_survey_url(user_id=delivered.buyer_id, order_id=delivered.pk)
                .removeprefix(SITE), {"rating": "5"})
    clock.move(days=31)
    with pytest.raises(CouponError, match="истёк"):
        coupon_redeem(code=Coupon.objects.get().code, buyer=delivered.buyer,
                      storefront=delivered.storefront)
    assert Coupon.objects.get().used_at is None


def test_an_amount_coupon_when_the_settings_say_so(delivered, client, postman,
                                                    journey_settings):
    from decimal import Decimal

    journey_settings.coupon_percent = None
    journey_settings.coupon_amount = Decimal("300.00")
    journey_settings.save()
    client.post(links.delivery_survey_url(user_id=delivered.buyer_id, order_id=delivered.pk)
                .removeprefix(SITE), {"rating": "5"})
    coupon = Coupon.objects.get()
    assert (coupon.percent, coupon.amount) == (None, Decimal("300.00"))
    thanks = only(postman.deliver(), "order.delivery_survey_thanks")
    assert "скидку 300.00 ₽" in thanks.text
