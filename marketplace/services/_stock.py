"""Stock bookkeeping shared by carts and orders: row locks, shortage errors, take and return."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import OutOfStockError
from marketplace.models import Product


def products_lock(product_ids: Iterable[int]) -> dict[int, Product]:
    """Lock the products' rows (select_for_update, in id order to avoid deadlocks), by id."""
    queryset = Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("pk")
    return {product.pk: product for product in queryset}


def shortage_error(shortages: Iterable[tuple[Product, int]]) -> OutOfStockError:
    """One OutOfStockError with a message per (product, wanted quantity), naming the product."""
    return OutOfStockError(
        [
            ValidationError(
                _("Not enough “%(product)s” in stock: %(wanted)s requested, %(stock)s left."),
                code="out_of_stock",
                params={"product": product.name, "wanted": wanted, "stock": product.stock},
            )
            for product, wanted in shortages
        ]
    )


def stock_take(products: Mapping[int, Product], quantities: Mapping[int, int]) -> None:
    """Decrement locked `products` by `quantities` (product id -> n) in one UPDATE.

    Raises OutOfStockError naming every product that has too little, before writing.
    """
    short = [(products[pk], n) for pk, n in quantities.items() if products[pk].stock < n]
    if short:
        raise shortage_error(short)
    _stock_add(products, {pk: -n for pk, n in quantities.items()})


def stock_return(quantities: Mapping[int, int]) -> None:
    """Give `quantities` (product id -> n) back to stock, locking the rows first."""
    _stock_add(products_lock(quantities), quantities)


def _stock_add(products: Mapping[int, Product], deltas: Mapping[int, int]) -> None:
    for pk, delta in deltas.items():
        products[pk].stock += delta
    Product.objects.bulk_update([products[pk] for pk in sorted(deltas)], ["stock"])
