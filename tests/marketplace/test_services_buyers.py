"""Buyer services: registration (also on an existing seller), confirmation, profile, activity."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from marketplace import services
from marketplace.exceptions import MarketplaceError
from marketplace.models import BuyerProfile, Gender, SellerProfile, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_buyer_register_creates_an_unconfirmed_buyer(storefront):
    user = services.buyer_register(
        storefront=storefront,
        email="Anna.Smirnova@Example.ORG",
        password="s3cret-Passw0rd",
        first_name="Anna",
        last_name="Smirnova",
        phone="8 (912) 345-67-89",
        gender=Gender.FEMALE,
        birth_date=datetime.date(1990, 5, 17),
        city="Kazan",
    )
    user.refresh_from_db()
    profile = BuyerProfile.objects.get(user=user)
    assert (user.username, user.email) == ("anna.smirnova@example.org", "Anna.Smirnova@example.org")
    assert (user.first_name, user.last_name) == ("Anna", "Smirnova")
    assert user.check_password("s3cret-Passw0rd") is True
    assert profile.storefront == storefront
    assert str(profile.phone) == "+79123456789"
    assert (profile.gender, profile.birth_date, profile.city) == (
        "f",
        datetime.date(1990, 5, 17),
        "Kazan",
    )
    assert profile.email_confirmed_at is None
    assert (user.is_buyer, user.is_seller) == (True, False)


def test_buyer_register_without_password_leaves_it_unusable(storefront):
    user = services.buyer_register(storefront=storefront, email="nopass@example.org")
    assert user.has_usable_password() is False
    assert User.objects.count() == 1


def test_buyer_register_refuses_an_invalid_phone_with_a_clear_message(storefront):
    with pytest.raises(ValidationError) as info:
        services.buyer_register(storefront=storefront, email="a@example.org", phone="12345")
    with translation.override("en"):
        assert info.value.message_dict == {
            "phone": [
                "“12345” is not a valid phone number. Enter it with the country code, "
                "for example +7 912 345-67-89."
            ]
        }
    assert info.value.error_dict["phone"][0].code == "invalid_phone"
    assert (User.objects.count(), BuyerProfile.objects.count()) == (0, 0)


def test_buyer_register_refuses_a_bad_email(storefront):
    with pytest.raises(ValidationError) as info:
        services.buyer_register(storefront=storefront, email="not-an-address")
    assert list(info.value.message_dict) == ["email"]
    assert User.objects.count() == 0


def test_buyer_register_refuses_an_unknown_gender_before_creating_the_user(storefront):
    with pytest.raises(ValidationError) as info:
        services.buyer_register(storefront=storefront, email="a@example.org", gender="x")
    assert list(info.value.message_dict) == ["gender"]
    assert User.objects.count() == 0


def test_buyer_register_attaches_a_profile_to_an_existing_seller(storefront, seller):
    seller.email = "Owner@Vendor.example.ru"
    seller.first_name = ""
    seller.save()
    user = services.buyer_register(
        storefront=storefront,
        email="owner@VENDOR.example.ru",
        password="other-password",
        first_name="Oleg",
        phone="+7 912 000-00-01",
    )
    user.refresh_from_db()
    assert user.pk == seller.pk
    assert User.objects.count() == 1
    assert (user.is_buyer, user.is_seller) == (True, True)
    assert SellerProfile.objects.get(user=user).is_owner is True
    assert user.check_password("correct horse battery") is True  # the password is kept
    assert (user.first_name, user.last_name) == ("Oleg", "Petrov")  # blanks filled only
    assert str(user.buyer_profile.phone) == "+79120000001"


def test_buyer_register_refuses_an_existing_buyer(storefront, buyer):
    with pytest.raises(MarketplaceError) as info:
        services.buyer_register(storefront=storefront, email=buyer.email.upper())
    assert info.value.code == "already_registered"
    with translation.override("en"):
        assert info.value.messages == [f"{buyer.email} is already registered as a buyer."]
    assert BuyerProfile.objects.count() == 1


def test_buyer_confirm_email_is_idempotent(storefront):
    user = services.buyer_register(storefront=storefront, email="c@example.org")
    first = services.buyer_confirm_email(user=user).email_confirmed_at
    second = services.buyer_confirm_email(user=user).email_confirmed_at
    assert first is not None
    assert second == first
    assert BuyerProfile.objects.get(user=user).email_confirmed_at == first


def test_buyer_confirm_email_refuses_a_user_who_is_not_a_buyer(seller):
    with pytest.raises(MarketplaceError) as info:
        services.buyer_confirm_email(user=seller)
    assert info.value.code == "not_a_buyer"


def test_buyer_update_profile_changes_whitelisted_fields(buyer, shipping_method):
    profile = services.buyer_update_profile(
        user=buyer,
        city="Tver",
        phone="+7 912 345-67-89",
        delivery_address="Lenina 1",
        preferred_shipping_method=shipping_method,
        gender=Gender.MALE,
        first_name="Pavel",
    )
    profile.refresh_from_db()
    buyer.refresh_from_db()
    assert (profile.city, str(profile.phone), profile.delivery_address) == (
        "Tver",
        "+79123456789",
        "Lenina 1",
    )
    assert (profile.preferred_shipping_method, profile.gender) == (shipping_method, "m")
    assert (buyer.first_name, buyer.last_name) == ("Pavel", "Petrov")


@pytest.mark.parametrize("field", ["email", "storefront", "email_confirmed_at", "is_staff"])
def test_buyer_update_profile_refuses_other_fields(buyer, field):
    with pytest.raises(MarketplaceError) as info:
        services.buyer_update_profile(user=buyer, city="Omsk", **{field: None})
    with translation.override("en"):
        assert info.value.messages == [f"These fields cannot be changed here: {field}."]
    assert BuyerProfile.objects.get(user=buyer).city == "Moscow"


def test_buyer_update_profile_validates_before_saving(buyer):
    with pytest.raises(ValidationError) as info:
        services.buyer_update_profile(user=buyer, city="Omsk", phone="+7 000")
    assert list(info.value.message_dict) == ["phone"]
    assert BuyerProfile.objects.get(user=buyer).city == "Moscow"


def test_buyer_set_interests_replaces_the_categories(buyer):
    books, music, films = factories.CategoryFactory.create_batch(3)
    services.buyer_set_interests(user=buyer, categories=[books, music])
    services.buyer_set_interests(user=buyer, categories=[films, books])
    assert set(BuyerProfile.objects.get(user=buyer).interests.all()) == {books, films}
    services.buyer_set_interests(user=buyer, categories=[])
    assert BuyerProfile.objects.get(user=buyer).interests.count() == 0


def test_buyer_touch_activity_only_moves_forward(buyer):
    later = timezone.now()
    earlier = later - datetime.timedelta(days=3)
    services.buyer_touch_activity(user=buyer, at=later)
    services.buyer_touch_activity(user=buyer, at=earlier)
    assert BuyerProfile.objects.get(user=buyer).last_activity_at == later


def test_buyer_touch_activity_defaults_to_now(buyer):
    before = timezone.now()
    services.buyer_touch_activity(user=buyer)
    stamp = BuyerProfile.objects.get(user=buyer).last_activity_at
    assert before <= stamp <= timezone.now()


def test_buyer_touch_activity_ignores_a_user_without_buyer_profile(seller):
    services.buyer_touch_activity(user=seller)
    assert BuyerProfile.objects.count() == 0
