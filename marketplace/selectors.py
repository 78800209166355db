"""Read queries shared by views, admin and tasks (never write here)."""

from django.db.models import Prefetch

from marketplace.models import Cart, CartLine, Storefront, User


def cart_get(*, buyer: User, storefront: Storefront) -> Cart | None:
    """The buyer's open cart on `storefront` with its lines and products prefetched, or None."""
    lines = CartLine.objects.select_related("product__company").order_by("added_at", "id")
    return (
        Cart.objects.filter(buyer=buyer, storefront=storefront, ordered_at__isnull=True)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .first()
    )
