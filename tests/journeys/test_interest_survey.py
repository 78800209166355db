"""Interest survey: invitation after confirming, a page of categories behind a signed link that
stores the buyer's interests; later selections use them; bad or reused links change nothing."""

import re

import pytest

from journeys import links
from journeys.detectors import detector_run
from journeys.models import InterestSurveyAnswer
from marketplace import services
from tests import factories
from tests.journeys.conftest import SITE, only

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(shop):
    """A buyer registered on the shop, e-mail not confirmed yet."""
    return services.buyer_register(storefront=shop.storefront, email="oleg@example.org",
                                   first_name="Oleg")


def survey_path(postman) -> str:
    letter = only(postman.deliver(), "buyer.interest_survey")
    assert letter.subject == "Что вам интересно? Подберём товары для вас"
    return re.search(rf"{re.escape(SITE)}(/j/interests/\S+/)", letter.text).group(1)


def test_confirming_invites_and_the_page_stores_the_interests(shop, newcomer, postman,
                                                               client, clock):
    postman.deliver()  # welcome + confirmation
    services.buyer_confirm_email(user=newcomer)  # any path that confirms (here: the service)
    path = survey_path(postman)
    page = client.get(path)
    assert page.status_code == 200
    assert "Что вам интересно?" in page.text
    assert "Tea" in page.text and "Mugs" in page.text
    saved = client.post(path, {"categories": [shop.mugs.pk]})
    assert saved.status_code == 200 and "Сохранена 1 категория" in saved.text
    assert list(newcomer.buyer_profile.interests.all()) == [shop.mugs]
    assert InterestSurveyAnswer.objects.get(user=newcomer).categories_count == 1


def test_later_selections_come_from_the_interests(shop, newcomer, postman, client, clock,
                                                   journey_settings):
    journey_settings.selection_size = 2
    journey_settings.save()
    # Tea sells best, but the buyer chose mugs: the selection starts with mugs.
    seller_buyer = factories.BuyerProfileFactory(storefront=shop.storefront).user
    for product in (shop.green, shop.black):
        services.cart_add(buyer=seller_buyer, storefront=shop.storefront, product=product,
                          quantity=3)
    services.order_place(buyer=seller_buyer, storefront=shop.storefront,
                         shipping_method=shop.courier, delivery_address="Moscow")
    services.buyer_confirm_email(user=newcomer)
    client.post(survey_path(postman), {"categories": [shop.mugs.pk]})
    postman.deliver()
    clock.move(days=3, minutes=1)
    assert detector_run(name="first_purchase").sent == 1
    letter = only(postman.deliver(), "buyer.first_purchase_selection")
    assert letter.to == "oleg@example.org"
    names = re.findall(r"^- (.+?), \d+\.\d\d ₽", letter.text, flags=re.M)
    assert names == ["Small cup", "Big mug"]  # both mugs; no tea although it sells more


def test_reused_forged_and_expired_survey_links_change_nothing(shop, newcomer, postman,
                                                                client, clock, settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 14
    services.buyer_confirm_email(user=newcomer)
    path = survey_path(postman)
    client.post(path, {"categories": [shop.tea.pk]})
    reused = client.post(path, {"categories": [shop.mugs.pk]})
    assert reused.status_code == 409 and "уже рассказали" in reused.text
    assert client.get(path).status_code == 409
    assert list(newcomer.buyer_profile.interests.all()) == [shop.tea]

    other = factories.BuyerProfileFactory(storefront=shop.storefront).user
    fresh = links.interests_url(user_id=other.pk).removeprefix(SITE)
    token = fresh.split("/")[3]
    tampered = fresh.replace(token, token[:-2] + "xx")
    assert client.post(tampered, {"categories": [shop.tea.pk]}).status_code == 400
    clock.move(days=15)
    expired = client.post(fresh, {"categories": [shop.tea.pk]})
    assert expired.status_code == 410
    assert not other.buyer_profile.interests.exists()
    assert not InterestSurveyAnswer.objects.filter(user=other).exists()


def test_an_empty_or_unknown_choice_is_refused_clearly(shop, newcomer, client):
    path = links.interests_url(user_id=newcomer.pk).removeprefix(SITE)
    empty = client.post(path, {})
    assert empty.status_code == 200 and "Выберите хотя бы одну категорию" in empty.text
    unknown = client.post(path, {"categories": [999999]})
    assert unknown.status_code == 200 and 'role="alert"' in unknown.text
    assert not InterestSurveyAnswer.objects.exists()
