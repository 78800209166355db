"""Carts (kept for abandoned-cart reminders) and product views (for browse reminders)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A buyer's current cart on one storefront; `ordered_at` is set when it became orders."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts",
        verbose_name=_("buyer"),
    )
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.CASCADE, related_name="carts",
        verbose_name=_("storefront"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "storefront"],
                condition=models.Q(ordered_at__isnull=True),
                name="marketplace_one_open_cart",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Cart')} #{self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("product"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="marketplace_cartline_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="marketplace_cartline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class ProductView(models.Model):
    """A buyer looked at a product."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="product_views",
        verbose_name=_("buyer"),
    )
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.CASCADE, related_name="views",
        verbose_name=_("product"),
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product view")
        verbose_name_plural = _("product views")
        indexes = [models.Index(fields=["buyer", "-viewed_at"], name="productview_buyer_recent")]

    def __str__(self) -> str:
        return f"{self.buyer_id} → {self.product_id}"
