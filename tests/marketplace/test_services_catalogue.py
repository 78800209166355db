"""Catalogue services: categories, products, shipping methods and product views."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace import services
from marketplace.exceptions import MarketplaceError
from marketplace.models import BuyerProfile, Product, ProductView, ShippingMethod
from tests import factories

pytestmark = pytest.mark.django_db


def test_category_create_builds_the_tree():
    root = services.category_create(name="Books", slug="books")
    child = services.category_create(name="Poetry", slug="poetry", parent=root)
    assert (child.parent, child.ancestors()) == (root, [root])
    assert list(root.children.all()) == [child]


def test_category_create_refuses_a_used_slug():
    services.category_create(name="Books", slug="books")
    with pytest.raises(ValidationError) as info:
        services.category_create(name="More books", slug="books")
    assert list(info.value.message_dict) == ["slug"]


def test_product_create_stores_a_validated_product(company):
    category = factories.CategoryFactory()
    product = services.product_create(
        company=company, category=category, name="Kettle", sku="K-1", price="1990.50", stock=4
    )
    product.refresh_from_db()
    assert (product.name, product.sku, product.price, product.stock, product.is_active) == (
        "Kettle",
        "K-1",
        Decimal("1990.50"),
        4,
        True,
    )


def test_product_create_refuses_a_sku_the_company_uses(product):
    with pytest.raises(ValidationError):
        services.product_create(
            company=product.company,
            category=product.category,
            name="Copy",
            sku=product.sku,
            price=1,
        )
    other = services.product_create(
        company=factories.CompanyFactory(),
        category=product.category,
        name="Same SKU",
        sku=product.sku,
        price=1,
    )
    assert Product.objects.filter(sku=product.sku).count() == 2
    assert other.price == Decimal("1")


@pytest.mark.parametrize(("field", "value"), [("price", Decimal("-1")), ("stock", -1)])
def test_product_create_refuses_negative_amounts(company, field, value):
    values = {"name": "Kettle", "sku": "K-1", "price": Decimal("1"), "stock": 0, field: value}
    with pytest.raises(ValidationError):
        services.product_create(company=company, category=factories.CategoryFactory(), **values)
    assert Product.objects.count() == 0


def test_product_update_changes_whitelisted_fields_and_the_passed_instance(product):
    result = services.product_update(
        product=product, price=Decimal("55.00"), stock=3, is_active=False
    )
    assert (result.price, result.stock, result.is_active) == (Decimal("55.00"), 3, False)
    assert (product.price, product.stock, product.is_active) == (Decimal("55.00"), 3, False)
    assert Product.objects.get(pk=product.pk).stock == 3


def test_product_update_refuses_to_move_a_product_to_another_company(product):
    with pytest.raises(MarketplaceError) as info:
        services.product_update(product=product, company=factories.CompanyFactory(), stock=1)
    with translation.override("en"):
        assert info.value.messages == ["These fields cannot be changed here: company."]
    assert Product.objects.get(pk=product.pk).stock == 10


def test_product_update_refuses_a_sku_taken_in_the_company(product):
    other = factories.ProductFactory(company=product.company)
    with pytest.raises(ValidationError):
        services.product_update(product=other, sku=product.sku)
    assert Product.objects.get(pk=other.pk).sku == other.sku


def test_shipping_method_create_stores_the_price():
    method = services.shipping_method_create(code="pickup", name="Pickup point", price="149.90")
    assert ShippingMethod.objects.get(code="pickup").price == Decimal("149.90")
    assert method.is_active is True
    with pytest.raises(ValidationError) as info:
        services.shipping_method_create(code="pickup", name="Again")
    assert list(info.value.message_dict) == ["code"]


def test_product_view_record_stores_the_view_and_touches_activity(buyer, product):
    view = services.product_view_record(buyer=buyer, product=product)
    assert ProductView.objects.filter(buyer=buyer, product=product).count() == 1
    assert BuyerProfile.objects.get(user=buyer).last_activity_at == view.viewed_at
