"""Cart services and the cart selector."""

import pytest
from django.utils import translation

from marketplace import services
from marketplace.exceptions import MarketplaceError, OutOfStockError
from marketplace.models import BuyerProfile, Cart, CartLine, Product
from marketplace.selectors import cart_get
from tests import factories

pytestmark = pytest.mark.django_db


def lines_of(cart):
    return sorted(cart.lines.values_list("product_id", "quantity"))


def test_cart_add_creates_the_cart_and_increments_an_existing_line(buyer, storefront, product):
    first = services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=2)
    second = services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=3)
    assert first.pk == second.pk
    assert Cart.objects.filter(buyer=buyer).count() == 1
    assert lines_of(second) == [(product.pk, 5)]
    assert BuyerProfile.objects.get(user=buyer).last_activity_at == second.updated_at


def test_cart_add_works_for_an_unconfirmed_buyer(storefront, product):
    buyer = factories.BuyerProfileFactory(storefront=storefront, email_confirmed_at=None).user
    cart = services.cart_add(buyer=buyer, storefront=storefront, product=product)
    assert lines_of(cart) == [(product.pk, 1)]


def test_cart_add_refuses_more_than_the_stock(buyer, storefront, product):
    services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=8)
    with pytest.raises(OutOfStockError) as info:
        services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=3)
    with translation.override("en"):
        assert info.value.messages == [
            f"Not enough “{product.name}” in stock: 11 requested, 10 left."
        ]
    assert CartLine.objects.get().quantity == 8


def test_cart_add_reads_the_current_stock_not_the_passed_instance(buyer, storefront, product):
    Product.objects.filter(pk=product.pk).update(stock=1)
    with pytest.raises(OutOfStockError):
        services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=2)
    assert CartLine.objects.count() == 0


def test_cart_add_refuses_an_inactive_product(buyer, storefront, product):
    services.product_update(product=product, is_active=False)
    with pytest.raises(MarketplaceError) as info:
        services.cart_add(buyer=buyer, storefront=storefront, product=product)
    with translation.override("en"):
        assert info.value.messages == [f"“{product.name}” is no longer on sale."]
    assert Cart.objects.count() == 0


def test_cart_add_refuses_a_product_of_another_storefront(buyer, storefront):
    foreign = factories.ProductFactory()
    with pytest.raises(MarketplaceError) as info:
        services.cart_add(buyer=buyer, storefront=storefront, product=foreign)
    assert info.value.code == "product_elsewhere"
    assert Cart.objects.count() == 0


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_cart_add_refuses_a_bad_quantity(buyer, storefront, product, quantity):
    with pytest.raises(MarketplaceError) as info:
        services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=quantity)
    assert info.value.code == "invalid_quantity"
    assert Cart.objects.count() == 0


def test_cart_remove_deletes_only_that_line(buyer, storefront, product):
    other = factories.ProductFactory(company=product.company)
    services.cart_add(buyer=buyer, storefront=storefront, product=product)
    services.cart_add(buyer=buyer, storefront=storefront, product=other, quantity=2)
    cart = services.cart_remove(buyer=buyer, storefront=storefront, product=product)
    assert lines_of(cart) == [(other.pk, 2)]
    again = services.cart_remove(buyer=buyer, storefront=storefront, product=product)
    assert lines_of(again) == [(other.pk, 2)]


def test_cart_remove_without_a_cart_returns_none(buyer, storefront, product):
    assert services.cart_remove(buyer=buyer, storefront=storefront, product=product) is None
    assert Cart.objects.count() == 0


def test_cart_clear_empties_the_cart_and_keeps_it(buyer, storefront, product):
    services.cart_add(buyer=buyer, storefront=storefront, product=product)
    services.cart_add(
        buyer=buyer,
        storefront=storefront,
        product=factories.ProductFactory(company=product.company),
    )
    assert services.cart_clear(buyer=buyer, storefront=storefront) == 2
    assert services.cart_clear(buyer=buyer, storefront=storefront) == 0
    assert (Cart.objects.count(), CartLine.objects.count()) == (1, 0)


def test_cart_get_returns_the_open_cart_with_lines_in_two_queries(
    buyer, storefront, product, django_assert_num_queries
):
    services.cart_add(buyer=buyer, storefront=storefront, product=product, quantity=2)
    with django_assert_num_queries(2):
        cart = cart_get(buyer=buyer, storefront=storefront)
        names = [
            (line.product.name, line.product.company.name, line.quantity)
            for line in cart.lines.all()
        ]
    assert names == [(product.name, product.company.name, 2)]


def test_cart_get_is_none_without_an_open_cart(buyer, storefront):
    factories.CartFactory(buyer=buyer, storefront=storefront, ordered_at="2024-01-01T00:00Z")
    assert cart_get(buyer=buyer, storefront=storefront) is None
