"""Marketplace model constraints (enforced by the database) and small model helpers."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone, translation

from marketplace import models
from marketplace.models.storefronts import validate_time_zone
from tests import factories

pytestmark = pytest.mark.django_db


@contextmanager
def integrity_error():
    """Expect the database to refuse the block's write (in a savepoint, so the test goes on)."""
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        yield


#: MariaDB/MySQL ignore partial and functional unique constraints (Django warns W036/W044);
#: there the services' own checks are the only guard, which their tests cover.
needs_partial_indexes = pytest.mark.skipif(
    connection.vendor == "mysql",
    reason="MariaDB/MySQL cannot enforce partial/functional unique constraints",
)


# --- users and profiles ----------------------------------------------------------------


@needs_partial_indexes
def test_user_email_is_unique_case_insensitively():
    factories.UserFactory(email="Anna@Example.org")
    with integrity_error():
        factories.UserFactory(email="anna@example.ORG")
    assert models.User.objects.filter(email__iexact="anna@example.org").count() == 1


def test_several_users_may_have_no_email():
    factories.UserFactory(email="")
    factories.UserFactory(email="")
    assert models.User.objects.filter(email="").count() == 2


def test_user_email_constraint_has_a_readable_validation_message():
    factories.UserFactory(email="anna@example.org")
    user = models.User(username="other", email="ANNA@example.org")
    with pytest.raises(ValidationError) as info:
        user.validate_constraints()
    assert info.value.messages == [str(models.User._meta.constraints[0].violation_error_message)]


def test_user_roles_follow_the_profiles(buyer, seller):
    assert (buyer.is_buyer, buyer.is_seller) == (True, False)
    assert (seller.is_buyer, seller.is_seller) == (False, True)


def test_one_buyer_profile_per_user(buyer, storefront):
    with integrity_error():
        models.BuyerProfile.objects.create(user=buyer, storefront=storefront)


def test_buyer_gender_must_be_a_choice(buyer):
    with integrity_error():
        models.BuyerProfile.objects.filter(user=buyer).update(gender="x")
    assert models.BuyerProfile.objects.get(user=buyer).gender == ""


def test_buyer_email_confirmed_follows_the_timestamp():
    profile = factories.BuyerProfileFactory(email_confirmed_at=None)
    assert profile.email_confirmed is False
    profile.email_confirmed_at = timezone.now()
    assert profile.email_confirmed is True
    assert str(profile) == profile.user.email


def test_one_seller_profile_per_user(seller, company):
    with integrity_error():
        models.SellerProfile.objects.create(user=seller, company=company)


# --- storefronts and settings ------------------------------------------------------------


def test_storefront_domain_is_unique(storefront):
    with integrity_error():
        factories.StorefrontFactory(domain=storefront.domain)


def test_storefront_time_zone_is_validated():
    validate_time_zone("Asia/Yekaterinburg")
    with pytest.raises(ValidationError) as info:
        validate_time_zone("Mars/Olympus")
    with translation.override("en"):
        assert info.value.messages == ["Mars/Olympus is not a known time zone."]


def test_marketplace_settings_load_creates_one_row_once():
    first = models.MarketplaceSettings.load()
    second = models.MarketplaceSettings.load()
    assert first.pk == second.pk
    assert models.MarketplaceSettings.objects.count() == 1
    assert first.all_storefronts_email == "admin@marketplace.example"


def test_marketplace_settings_refuse_a_second_row():
    models.MarketplaceSettings.load()
    with integrity_error():
        models.MarketplaceSettings.objects.create(
            all_storefronts_email="a@x.example", quality_email="q@x.example"
        )


def test_marketplace_settings_refuse_a_non_singleton_row():
    with integrity_error():
        models.MarketplaceSettings.objects.create(
            singleton=False, all_storefronts_email="a@x.example", quality_email="q@x.example"
        )
    assert models.MarketplaceSettings.objects.count() == 0


# --- companies ---------------------------------------------------------------------------


def test_company_name_is_unique_per_storefront(company):
    with integrity_error():
        factories.CompanyFactory(storefront=company.storefront, name=company.name)
    other = factories.CompanyFactory(name=company.name)
    assert other.name == company.name
    assert models.Company.objects.filter(name=company.name).count() == 2


def test_company_status_must_be_a_choice(company):
    with integrity_error():
        models.Company.objects.filter(pk=company.pk).update(status="bogus")


# --- catalogue -----------------------------------------------------------------------------


def test_category_slug_is_unique():
    factories.CategoryFactory(slug="books")
    with integrity_error():
        factories.CategoryFactory(slug="books")


def test_category_cannot_be_its_own_parent():
    category = factories.CategoryFactory()
    category.parent = category
    with translation.override("en"), pytest.raises(ValidationError, match="its own parent"):
        category.full_clean()


def test_category_ancestors_run_from_the_root():
    root = factories.CategoryFactory(name="Root")
    middle = factories.CategoryFactory(name="Middle", parent=root)
    leaf = factories.CategoryFactory(name="Leaf", parent=middle)
    assert leaf.ancestors() == [root, middle]
    assert root.ancestors() == []


def test_product_sku_is_unique_per_company(product):
    with integrity_error():
        factories.ProductFactory(company=product.company, sku=product.sku)
    elsewhere = factories.ProductFactory(sku=product.sku)
    assert models.Product.objects.filter(sku=product.sku).count() == 2
    assert elsewhere.company_id != product.company_id


def test_product_price_cannot_be_negative(company):
    with integrity_error():
        factories.ProductFactory(company=company, price=Decimal("-0.01"))
    free = factories.ProductFactory(company=company, price=Decimal("0"))
    assert free.price == Decimal("0")


def test_product_stock_cannot_be_negative(product):
    with integrity_error():
        models.Product.objects.filter(pk=product.pk).update(stock=-1)


def test_shipping_method_code_is_unique():
    models.ShippingMethod.objects.create(code="post", name="Post")
    with integrity_error():
        models.ShippingMethod.objects.create(code="post", name="Other post")


# --- carts ---------------------------------------------------------------------------------


@needs_partial_indexes
def test_one_open_cart_per_buyer_and_storefront(buyer, storefront):
    factories.CartFactory(buyer=buyer, storefront=storefront)
    with integrity_error():
        factories.CartFactory(buyer=buyer, storefront=storefront)


def test_ordered_carts_do_not_count_as_open(buyer, storefront):
    factories.CartFactory(buyer=buyer, storefront=storefront, ordered_at=timezone.now())
    factories.CartFactory(buyer=buyer, storefront=storefront, ordered_at=timezone.now())
    factories.CartFactory(buyer=buyer, storefront=storefront)
    other_storefront = factories.CartFactory(buyer=buyer)
    assert models.Cart.objects.filter(buyer=buyer).count() == 4
    assert other_storefront.storefront_id != storefront.pk


def test_cart_line_quantity_must_be_positive(product):
    with integrity_error():
        factories.CartLineFactory(product=product, quantity=0)


def test_cart_line_holds_a_product_once(product):
    line = factories.CartLineFactory(product=product)
    with integrity_error():
        factories.CartLineFactory(cart=line.cart, product=product)


# --- orders --------------------------------------------------------------------------------


def test_order_status_must_be_a_choice():
    with integrity_error():
        factories.OrderFactory(status="lost")


def test_order_total_cannot_be_negative():
    with integrity_error():
        factories.OrderFactory(total=Decimal("-1"))


def test_order_line_quantity_must_be_positive():
    with integrity_error():
        factories.OrderLineFactory(quantity=0)


def test_order_line_holds_a_product_once():
    line = factories.OrderLineFactory()
    with integrity_error():
        factories.OrderLineFactory(order=line.order, product=line.product)


def test_order_line_total_is_price_times_quantity():
    line = factories.OrderLineFactory(quantity=3, unit_price=Decimal("12.50"))
    assert line.line_total == Decimal("37.50")
    assert str(line) == f"{line.product_name} × 3"


def test_order_number_is_the_zero_padded_id():
    order = factories.OrderFactory()
    assert order.number == f"{order.pk:06d}"
    assert models.Order().number == ""


@pytest.mark.parametrize(
    ("status", "target", "allowed"),
    [
        (models.OrderStatus.PLACED, models.OrderStatus.CONFIRMED, True),
        (models.OrderStatus.PLACED, models.OrderStatus.DELIVERED, False),
        (models.OrderStatus.DELIVERED, models.OrderStatus.CANCELLED, False),
    ],
)
def test_order_can_move_to_follows_the_lifecycle(status, target, allowed):
    assert models.Order(status=status).can_move_to(target) is allowed


def test_status_change_str_shows_both_ends():
    change = models.OrderStatusChange(from_status="", to_status=models.OrderStatus.PLACED)
    assert str(change) == "∅ → placed"
