"""The catalogue: a category tree and the products sellers offer."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the category tree (parent is empty at the root)."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Not a database CHECK: MariaDB refuses checks on an auto-increment column.
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own parent.")})

    def ancestors(self) -> list["Category"]:
        """The path from the root down to this category's parent (one query per level)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Product(models.Model):
    """Something a company sells, with its price and stock."""

    company = models.ForeignKey(
        "marketplace.Company", on_delete=models.CASCADE, related_name="products",
        verbose_name=_("company"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=300)
    sku = models.CharField(_("SKU"), max_length=64)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="marketplace_product_sku"),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="marketplace_product_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name
