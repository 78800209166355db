"""Catalogue services: categories, products, shipping methods and product views."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from marketplace.models import Category, Company, Product, ProductView, ShippingMethod, User

from ._common import fields_apply, fields_check
from ._events import _notify
from .buyers import buyer_touch_activity

#: What `product_update` may change (never the company).
PRODUCT_FIELDS = frozenset({"category", "name", "sku", "price", "stock", "is_active"})


def category_create(*, name: str, slug: str, parent: Category | None = None) -> Category:
    """Create a category under `parent` (a root when None), validated with full_clean.

    Raises ValidationError (keyed by field) for a bad or already used slug or a blank name.
    """
    category = Category(name=name, slug=slug, parent=parent)
    category.full_clean()
    category.save()
    return category


def product_create(
    *,
    company: Company,
    category: Category,
    name: str,
    sku: str,
    price: Decimal | int | str,
    stock: int = 0,
    is_active: bool = True,
) -> Product:
    """Create a product of `company`, validated with full_clean, and return it.

    Raises ValidationError (keyed by field) for a negative price or stock, a SKU the company
    already uses, or other bad values.
    """
    product = Product(
        company=company,
        category=category,
        name=name,
        sku=sku,
        price=price,
        stock=stock,
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_update(*, product: Product, **fields: Any) -> Product:
    """Change whitelisted product fields (PRODUCT_FIELDS) and return the updated row.

    The row is locked first, so a stock change cannot lose a concurrent order's decrement;
    the passed instance is refreshed as well. Raises MarketplaceError naming any other field
    and ValidationError (keyed by field) for bad values.
    """
    fields_check(fields, allowed=PRODUCT_FIELDS)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    names = fields_apply(locked, fields, allowed=PRODUCT_FIELDS)
    locked.full_clean()
    if names:
        locked.save(update_fields=names)
        _notify("product.updated", product_id=locked.pk, fields=names)
    product.refresh_from_db()
    return locked


def shipping_method_create(
    *, code: str, name: str, price: Decimal | int | str = 0
) -> ShippingMethod:
    """Create a shipping method; ValidationError for a used code or a bad price."""
    method = ShippingMethod(code=code, name=name, price=price)
    method.full_clean()
    method.save()
    return method


@transaction.atomic
def product_view_record(*, buyer: User, product: Product) -> ProductView:
    """Store that `buyer` looked at `product`, touch the buyer's activity, return the view."""
    view = ProductView.objects.create(buyer=buyer, product=product)
    buyer_touch_activity(user=buyer, at=view.viewed_at)
    _notify("product.viewed", user_id=buyer.pk, product_id=product.pk)
    return view
