"""Marketplace models, split by sub-domain; import them from here."""

from .buyers import BuyerProfile, Gender
from .carts import Cart, CartLine, ProductView
from .catalogue import Category, Product
from .companies import Company, CompanyStatus, SellerProfile
from .notification_settings import CompanyNotificationSettings
from .orders import Order, OrderLine, OrderStatus, OrderStatusChange, ShippingMethod
from .storefronts import MarketplaceSettings, Storefront
from .users import User

__all__ = [
    "BuyerProfile",
    "Cart",
    "CartLine",
    "Category",
    "Company",
    "CompanyNotificationSettings",
    "CompanyStatus",
    "Gender",
    "MarketplaceSettings",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderStatusChange",
    "Product",
    "ProductView",
    "SellerProfile",
    "ShippingMethod",
    "Storefront",
    "User",
]
