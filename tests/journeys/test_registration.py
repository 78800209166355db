"""Registration -> confirmation e-mail with a signed link -> confirmed (orders allowed) ->
interest survey invitation; reminders for the unconfirmed; bad links change nothing."""

import re

import pytest
from django.core.exceptions import ValidationError

from journeys import links
from journeys.detectors import detector_run
from journeys.models import JourneyLog
from marketplace import services
from marketplace.exceptions import EmailNotConfirmedError
from marketplace.models import BuyerProfile
from tests import factories
from tests.journeys.conftest import SITE, keys, only

pytestmark = pytest.mark.django_db


def register(storefront, email="anna@example.org"):
    return services.buyer_register(storefront=storefront, email=email, first_name="Anna",
                                   password="s3cret-pass-123")


def link_in(letter, path: str) -> str:
    found = re.search(rf"{re.escape(SITE)}(/j/{path}/[^/\s\"]+/)", letter.text)
    assert found, letter.text
    return found.group(1)


def test_registration_sends_the_confirmation_link_and_the_link_confirms(
        shop, postman, client, clock):
    user = register(shop.storefront)
    letters = postman.deliver()
    assert keys(letters) == [
        ("buyer.email_confirmation", "buyer", "email", "anna@example.org"),
        ("buyer.registered", "buyer", "email", "anna@example.org"),
    ]
    confirmation = only(letters, "buyer.email_confirmation")
    assert confirmation.subject == "Подтвердите адрес электронной почты"
    assert confirmation.unsubscribe == ""  # transactional: no unsubscribe
    url = link_in(confirmation, "confirm")
    assert url in confirmation.html

    page = client.get(url)
    assert page.status_code == 200
    assert "anna@example.org" in page.text and "подтвержд" in page.text.lower()
    profile = BuyerProfile.objects.get(user=user)
    assert profile.email_confirmed
    invitation = postman.deliver()
    assert keys(invitation) == [("buyer.interest_survey", "buyer", "email", "anna@example.org")]
    assert "/j/interests/" in invitation[0].text
    assert invitation[0].unsubscribe.startswith(f"<{SITE}/n/u/")  # marketing: unsubscribe


def test_unconfirmed_buyer_cannot_order_until_the_link_is_used(shop, postman, client, clock):
    user = register(shop.storefront)
    services.cart_add(buyer=user, storefront=shop.storefront, product=shop.green)
    with pytest.raises(EmailNotConfirmedError) as refused:
        services.order_place(buyer=user, storefront=shop.storefront,
                             shipping_method=shop.courier, delivery_address="Moscow")
    assert "confirm your e-mail address anna@example.org" in refused.value.messages[0]
    url = link_in(only(postman.deliver(), "buyer.email_confirmation"), "confirm")
    client.get(url)
    [order] = services.order_place(buyer=user, storefront=shop.storefront,
                                   shipping_method=shop.courier, delivery_address="Moscow")
    assert order.lines.get().product == shop.green


def test_reused_link_says_so_and_keeps_the_first_confirmation(shop, postman, client, clock):
    user = register(shop.storefront)
    url = link_in(only(postman.deliver(), "buyer.email_confirmation"), "confirm")
    client.get(url)
    first = BuyerProfile.objects.get(user=user).email_confirmed_at
    clock.move(hours=3)
    again = client.get(url)
    assert again.status_code == 200 and "уже подтвержд" in again.text
    assert BuyerProfile.objects.get(user=user).email_confirmed_at == first
    postman.deliver()
    assert postman.deliver() == []  # no second invitation


def test_forged_expired_and_stale_links_change_nothing(shop, client, clock, settings):
    settings.SIGNED_LINK_MAX_AGE_DAYS = 14
    user = register(shop.storefront)
    other = factories.BuyerProfileFactory(storefront=shop.storefront, email_confirmed_at=None)
    good = links.confirm_url(user_id=user.pk, email=user.email).removeprefix(SITE)
    token = good.split("/")[3]
    forged = good.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    page = client.get(forged)
    assert page.status_code == 400 and "Ссылка не работает" in page.text
    assert client.get("/j/confirm/not-a-token/").status_code == 400
    # The signature covers the id and the e-mail: one buyer's link cannot confirm another.
    swapped = links.confirm_url(user_id=other.user_id, email=user.email).removeprefix(SITE)
    page = client.get(swapped)
    assert page.status_code == 400 and "больше не использует" in page.text
    clock.move(days=15)
    expired = client.get(good)
    assert expired.status_code == 410 and "Срок действия ссылки истёк" in expired.text
    assert not BuyerProfile.objects.filter(email_confirmed_at__isnull=False,
                                           user__in=[user, other.user]).exists()


def test_a_link_for_an_old_address_does_not_confirm_the_new_one(shop, client, clock):
    user = register(shop.storefront)
    url = links.confirm_url(user_id=user.pk, email=user.email).removeprefix(SITE)
    user.email = "anna.new@example.org"
    user.save()
    assert client.get(url).status_code == 400
    assert not BuyerProfile.objects.get(user=user).email_confirmed


def test_reminders_every_n_days_at_most_k_then_stop(shop, postman, journey_settings, clock):
    journey_settings.confirmation_days = 2
    journey_settings.confirmation_max_reminders = 2
    journey_settings.save()
    user = register(shop.storefront)
    postman.deliver()
    assert detector_run(name="confirmation_reminder").sent == 0  # too early
    clock.move(days=2, minutes=1)
    first = detector_run(name="confirmation_reminder")
    assert (first.candidates, first.sent, first.messages) == (1, 1, 1)
    assert detector_run(name="confirmation_reminder").candidates == 0  # twice: once
    [letter] = postman.deliver()
    assert letter.key == ("buyer.email_confirmation_reminder", "buyer", "email",
                          "anna@example.org")
    assert letter.subject == "Напоминание: подтвердите адрес электронной почты"
    assert "Напоминание 1." in letter.text and "/j/confirm/" in letter.text
    clock.move(days=1)
    assert detector_run(name="confirmation_reminder").sent == 0  # N days since the last one
    clock.move(days=1, minutes=1)
    assert detector_run(name="confirmation_reminder").sent == 1
    assert "Напоминание 2." in postman.deliver()[0].text
    clock.move(days=10)
    assert detector_run(name="confirmation_reminder").sent == 0  # K reached
    assert list(JourneyLog.objects.filter(user=user).values_list("occurrence", flat=True)
                .order_by("pk")) == [f"confirm-reminder:{user.pk}:1",
                                     f"confirm-reminder:{user.pk}:2"]


def test_confirmed_buyers_get_no_reminder(shop, postman, client, clock):
    user = register(shop.storefront)
    client.get(link_in(only(postman.deliver(), "buyer.email_confirmation"), "confirm"))
    clock.move(days=30)
    assert detector_run(name="confirmation_reminder").candidates == 0
    assert BuyerProfile.objects.get(user=user).email_confirmed_at is not None


def test_registration_that_fails_sends_nothing(shop, postman):
    with pytest.raises(ValidationError):
        services.buyer_register(storefront=shop.storefront, email="x@example.org",
                                phone="12345")
    assert postman.deliver() == []


def test_the_confirm_link_only_answers_get(shop, client):
    user = register(shop.storefront)
    url = links.confirm_url(user_id=user.pk, email=user.email).removeprefix(SITE)
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 405  # link checkers' HEAD confirms nothing
    assert not BuyerProfile.objects.get(user=user).email_confirmed
