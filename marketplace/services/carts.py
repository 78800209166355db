"""Cart services: add, remove and clear lines of a buyer's open cart on a storefront."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import Cart, CartLine, Product, Storefront, User

from ._events import _notify
from ._stock import shortage_error
from .buyers import buyer_touch_activity


@transaction.atomic
def cart_add(*, buyer: User, storefront: Storefront, product: Product, quantity: int = 1) -> Cart:
    """Put `quantity` of `product` into the buyer's open cart (created on demand); return it.

    Works for buyers whose e-mail is not confirmed yet. Adds to the quantity of a line that
    is already there. Touches the cart's `updated_at` and the buyer's activity. Raises
    MarketplaceError for a quantity below 1, an inactive product or one sold on another
    storefront, OutOfStockError when the line would exceed the stock (nothing is stored).
    """
    _quantity_check(quantity)
    fresh = Product.objects.select_related("company").get(pk=product.pk)
    _product_check(fresh, storefront)
    cart, _created = Cart.objects.select_for_update().get_or_create(
        buyer=buyer, storefront=storefront, ordered_at=None
    )
    line = CartLine.objects.filter(cart=cart, product=fresh).first()
    wanted = quantity + (line.quantity if line else 0)
    if wanted > fresh.stock:
        raise shortage_error([(fresh, wanted)])
    if line is None:
        CartLine.objects.create(cart=cart, product=fresh, quantity=wanted)
    else:
        line.quantity = wanted
        line.save(update_fields=["quantity"])
    _cart_touched(cart, buyer=buyer, product_id=fresh.pk, quantity=wanted)
    return cart


@transaction.atomic
def cart_remove(*, buyer: User, storefront: Storefront, product: Product) -> Cart | None:
    """Remove `product`'s line from the buyer's open cart; return the cart (None if none).

    Removing a product that is not in the cart changes nothing and raises nothing.
    """
    cart = _open_cart_lock(buyer=buyer, storefront=storefront)
    if cart is not None and CartLine.objects.filter(cart=cart, product=product).delete()[0]:
        _cart_touched(cart, buyer=buyer, product_id=product.pk, quantity=0)
    return cart


@transaction.atomic
def cart_clear(*, buyer: User, storefront: Storefront) -> int:
    """Remove every line of the buyer's open cart (the empty cart stays); return how many."""
    cart = _open_cart_lock(buyer=buyer, storefront=storefront)
    removed = CartLine.objects.filter(cart=cart).delete()[0] if cart is not None else 0
    if removed:
        _cart_touched(cart, buyer=buyer, product_id=None, quantity=0)
    return removed


def _open_cart_lock(*, buyer: User, storefront: Storefront) -> Cart | None:
    return (
        Cart.objects.select_for_update()
        .filter(buyer=buyer, storefront=storefront, ordered_at__isnull=True)
        .first()
    )


def _cart_touched(cart: Cart, *, buyer: User, product_id: int | None, quantity: int) -> None:
    cart.save(update_fields=["updated_at"])
    buyer_touch_activity(user=buyer, at=cart.updated_at)
    _notify("cart.updated", cart_id=cart.pk, product_id=product_id, quantity=quantity)


def _quantity_check(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise MarketplaceError(
            _("The quantity must be a whole number of at least 1."), code="invalid_quantity"
        )


def _product_check(product: Product, storefront: Storefront) -> None:
    """Refuse a product that is switched off or belongs to another storefront's seller."""
    if not product.is_active:
        raise MarketplaceError(
            _("“%(product)s” is no longer on sale."),
            code="product_inactive",
            params={"product": product.name},
        )
    if product.company.storefront_id != storefront.pk:
        raise MarketplaceError(
            _("“%(product)s” is not sold on %(storefront)s."),
            code="product_elsewhere",
            params={"product": product.name, "storefront": storefront.name},
        )
