"""The marketplace service layer: the only way marketplace state changes."""

from .buyers import (
    buyer_confirm_email,
    buyer_register,
    buyer_set_interests,
    buyer_touch_activity,
    buyer_update_profile,
)
from .carts import cart_add, cart_clear, cart_remove
from .catalogue import (
    category_create,
    product_create,
    product_update,
    product_view_record,
    shipping_method_create,
)
from .orders import order_place, order_recalculate, order_set_status
from .sellers import company_set_status, seller_add_staff, seller_register

__all__ = [
    "buyer_confirm_email",
    "buyer_register",
    "buyer_set_interests",
    "buyer_touch_activity",
    "buyer_update_profile",
    "cart_add",
    "cart_clear",
    "cart_remove",
    "category_create",
    "company_set_status",
    "order_place",
    "order_recalculate",
    "order_set_status",
    "product_create",
    "product_update",
    "product_view_record",
    "seller_add_staff",
    "seller_register",
    "shipping_method_create",
]
