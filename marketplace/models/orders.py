"""Orders: shipping methods, orders per company and storefront, lines and the status history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    CONFIRMED = "confirmed", _("Confirmed")
    HANDED_TO_CARRIER = "handed_to_carrier", _("Handed to carrier")
    ARRIVED_IN_CITY = "arrived_in_city", _("Arrived in delivery city")
    AT_PICKUP_POINT = "at_pickup_point", _("At pickup point")
    DELIVERED = "delivered", _("Delivered to buyer")
    CANCELLED = "cancelled", _("Cancelled")


#: The order lifecycle: which status may follow which. Everything else is refused.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.HANDED_TO_CARRIER, OrderStatus.CANCELLED}),
    OrderStatus.HANDED_TO_CARRIER: frozenset({OrderStatus.ARRIVED_IN_CITY, OrderStatus.CANCELLED}),
    OrderStatus.ARRIVED_IN_CITY: frozenset(
        {OrderStatus.AT_PICKUP_POINT, OrderStatus.DELIVERED, OrderStatus.CANCELLED}
    ),
    OrderStatus.AT_PICKUP_POINT: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class ShippingMethod(models.Model):
    """A way to deliver an order (courier, pickup point, post ...)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """One buyer's order from one company on one storefront."""

    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("storefront"),
    )
    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("company"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("buyer"),
    )
    status = models.CharField(
        _("status"), max_length=32, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    shipping_method = models.ForeignKey(
        ShippingMethod, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("shipping method"),
    )
    delivery_address = models.CharField(_("delivery address"), max_length=500, blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2, default=0)
    shipping_cost = models.DecimalField(
        _("shipping cost"), max_digits=10, decimal_places=2, default=0
    )
    coupon_code = models.CharField(_("coupon code"), max_length=32, blank=True)
    discount_percent = models.PositiveSmallIntegerField(
        _("coupon percent off"), null=True, blank=True,
        help_text=_("Set for a percent coupon, so a recalculation takes the percent again."),
    )
    discount = models.DecimalField(
        _("coupon discount"), max_digits=12, decimal_places=2, default=0,
        help_text=_("Taken off the goods; shipping is never discounted."),
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_recent_idx"),
            models.Index(fields=["status", "-created_at"], name="order_status_recent_idx"),
            models.Index(fields=["company", "-created_at"], name="order_company_recent_idx"),
            models.Index(fields=["buyer", "-created_at"], name="order_buyer_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values),
                name="marketplace_order_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="marketplace_order_total_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=models.F("subtotal")),
                name="marketplace_order_discount_within_subtotal",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def number(self) -> str:
        return f"{self.pk:06d}" if self.pk else ""

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS[self.status]


class OrderLine(models.Model):
    """A product in an order, with the price it was sold at."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.PROTECT, related_name="order_lines",
        verbose_name=_("product"),
    )
    product_name = models.CharField(_("product name"), max_length=300)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    is_available = models.BooleanField(
        _("available"), null=True, blank=True,
        help_text=_("The warehouse's answer to the stock check; empty until it answers."),
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="marketplace_orderline_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["order", "product"], name="marketplace_orderline_product_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} × {self.quantity}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class OrderStatusChange(models.Model):
    """One step of an order's history: who moved it, when, from which status to which."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="history", verbose_name=_("order")
    )
    from_status = models.CharField(
        _("from"), max_length=32, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=32, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
