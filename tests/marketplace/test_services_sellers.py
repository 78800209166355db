"""Seller services: company registration (also by a buyer), company status, staff."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace import services
from marketplace.exceptions import MarketplaceError
from marketplace.models import Company, CompanyStatus, SellerProfile, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_seller_register_creates_a_new_company_and_owner(storefront):
    company = services.seller_register(
        storefront=storefront,
        company_name="  Romashka LLC ",
        email="Sales@Romashka.example.ru",
        password="s3cret-Passw0rd",
        phone="+7 495 123-45-67",
        warehouse_email="stock@romashka.example.ru",
        warehouse_phone="8 812 123-45-67",
    )
    company.refresh_from_db()
    staff = SellerProfile.objects.get(company=company)
    assert (company.name, company.status, company.storefront) == (
        "Romashka LLC",
        CompanyStatus.NEW,
        storefront,
    )
    assert (company.email, company.warehouse_email) == (
        "Sales@Romashka.example.ru",
        "stock@romashka.example.ru",
    )
    assert (str(company.phone), str(company.warehouse_phone)) == ("+74951234567", "+78121234567")
    assert staff.is_owner is True
    assert (staff.user.username, staff.user.email) == (
        "sales@romashka.example.ru",
        "Sales@romashka.example.ru",
    )
    assert staff.user.check_password("s3cret-Passw0rd") is True
    assert (staff.user.is_seller, staff.user.is_buyer) == (True, False)


def test_seller_register_makes_a_given_buyer_a_seller(storefront, buyer):
    company = services.seller_register(
        storefront=storefront,
        company_name="Buyer's Shop",
        email="shop@buyer.example.ru",
        user=buyer,
    )
    buyer.refresh_from_db()
    assert User.objects.count() == 1
    assert SellerProfile.objects.get(user=buyer).company == company
    assert (buyer.is_buyer, buyer.is_seller) == (True, True)
    assert buyer.email.startswith("user")  # the login address is not replaced


def test_seller_register_uses_the_existing_user_with_that_email(storefront, buyer):
    company = services.seller_register(
        storefront=storefront, company_name="Found", email=buyer.email.upper(), password="x"
    )
    assert SellerProfile.objects.get(company=company).user == buyer
    assert User.objects.count() == 1
    assert User.objects.get(pk=buyer.pk).check_password("correct horse battery") is True


def test_seller_register_refuses_a_company_name_taken_on_the_storefront(company):
    with pytest.raises(ValidationError) as info:
        services.seller_register(
            storefront=company.storefront, company_name=company.name, email="new@x.example.ru"
        )
    assert list(info.value.message_dict) == ["__all__"]
    assert (Company.objects.count(), User.objects.count()) == (1, 0)


def test_seller_register_refuses_a_bad_warehouse_phone(storefront):
    with pytest.raises(ValidationError) as info:
        services.seller_register(
            storefront=storefront,
            company_name="A",
            email="a@x.example.ru",
            warehouse_phone="call me",
        )
    with translation.override("en"):
        assert info.value.message_dict == {
            "warehouse_phone": [
                "“call me” is not a valid phone number. Enter it with the country code, "
                "for example +7 912 345-67-89."
            ]
        }
    assert Company.objects.count() == 0


def test_seller_register_refuses_a_user_who_already_sells(storefront, seller):
    with pytest.raises(MarketplaceError) as info:
        services.seller_register(
            storefront=storefront, company_name="Second", email="2@x.example.ru", user=seller
        )
    assert info.value.code == "already_seller"
    assert Company.objects.count() == 1


def test_company_set_status_stores_a_valid_status(company, seller):
    result = services.company_set_status(company=company, status=CompanyStatus.DISABLED, by=seller)
    assert result.status == CompanyStatus.DISABLED
    assert company.status == CompanyStatus.DISABLED
    assert Company.objects.get(pk=company.pk).status == "disabled"


def test_company_set_status_refuses_an_unknown_status(company):
    with pytest.raises(MarketplaceError) as info:
        services.company_set_status(company=company, status="banned")
    with translation.override("en"):
        assert info.value.messages == ["“banned” is not a company status."]
    assert Company.objects.get(pk=company.pk).status == CompanyStatus.ACTIVE


def test_seller_add_staff_creates_a_non_owner(company):
    user = services.seller_add_staff(
        company=company, email="Clerk@Vendor.example.ru", password="pw"
    )
    staff = SellerProfile.objects.get(user=user)
    assert (staff.company, staff.is_owner) == (company, False)
    assert user.username == "clerk@vendor.example.ru"
    assert user.check_password("pw") is True


def test_seller_add_staff_accepts_an_existing_buyer(company, buyer):
    user = services.seller_add_staff(company=company, email=buyer.email)
    assert user.pk == buyer.pk
    assert SellerProfile.objects.get(user=buyer).company == company


def test_seller_add_staff_refuses_staff_of_another_company(company):
    other = factories.SellerProfileFactory()
    with pytest.raises(MarketplaceError) as info:
        services.seller_add_staff(company=company, email=other.user.email)
    assert info.value.code == "already_seller"
    assert SellerProfile.objects.get(user=other.user).company == other.company
