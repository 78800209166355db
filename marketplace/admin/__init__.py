"""The Django admin for the marketplace, one module per sub-domain (imported to register).

Business changes made here (order and company status, e-mail confirmation, registrations,
product changes) go through `marketplace.services`; see each module's docstring.
"""

from . import buyers, carts, catalogue, orders, sellers, storefronts, users

__all__ = ["buyers", "carts", "catalogue", "orders", "sellers", "storefronts", "users"]
