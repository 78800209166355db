"""Facts about buyers and sellers read from the marketplace, for the pure field catalogue."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.utils import timezone

from marketplace.models import Category, OrderStatus, ShippingMethod
from sendsay_admin.fields import BuyerFacts, SellerFacts

from .exceptions import MappingError


def _local(value):
    return timezone.localtime(value) if value is not None else None


def buyer_facts(user) -> BuyerFacts:
    """What the buyer fields are computed from; `MappingError` if `user` is not a buyer."""
    profile = getattr(user, "buyer_profile", None)
    if profile is None:
        raise MappingError(f"{user} is not a buyer.")
    orders = user.orders.exclude(status=OrderStatus.CANCELLED).aggregate(
        count=Count("id"), spent=Sum("total"), last=Max("created_at")
    )
    shipping = profile.preferred_shipping_method
    return BuyerFacts(
        first_name=user.first_name,
        last_name=user.last_name,
        gender=profile.gender,
        birth_date=profile.birth_date,
        phone=profile.phone.as_e164 if profile.phone else "",
        city=profile.city,
        storefront=profile.storefront.name,
        registered_at=_local(profile.created_at),
        email_confirmed=profile.email_confirmed,
        last_activity_at=_local(profile.last_activity_at),
        orders_count=orders["count"] or 0,
        total_spent=orders["spent"] or Decimal(0),
        last_order_at=_local(orders["last"]),
        has_delivery_address=bool(profile.delivery_address),
        interest_categories=tuple(
            profile.interests.order_by("slug").values_list("slug", flat=True)
        ),
        shipping_method=shipping.code if shipping else "",
    )


def seller_facts(user) -> SellerFacts:
    """What the seller fields are computed from; `MappingError` if `user` is not a seller."""
    profile = getattr(user, "seller_profile", None)
    if profile is None:
        raise MappingError(f"{user} is not a seller.")
    company = profile.company
    return SellerFacts(
        company_name=company.name,
        status=company.status,
        products_count=company.products.filter(is_active=True).count(),
        sales_count=company.orders.exclude(status=OrderStatus.CANCELLED).count(),
        registered_at=_local(company.created_at),
    )


def dynamic_answers(kind: str) -> dict[str, str]:
    """Choices that live in the database: code -> label."""
    if kind == "categories":
        return dict(Category.objects.order_by("slug").values_list("slug", "name"))
    if kind == "shipping_methods":
        return dict(ShippingMethod.objects.order_by("code").values_list("code", "name"))
    return {}
