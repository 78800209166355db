"""Admin for the catalogue: the category tree (plain data) and products, which are created
and changed through `product_create` / `product_update` so stock and price changes are
locked and announced like any other."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplace.models import Category, Product
from marketplace.services import product_create, product_update
from marketplace.services.catalogue import PRODUCT_FIELDS

from .common import AutocompleteFilter, LargeTableAdmin, adopt


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.EmptyFieldListFilter),)
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Product)
class ProductAdmin(LargeTableAdmin):
    list_display = ("name", "sku", "company", "category", "price", "stock", "is_active")
    list_select_related = ("company", "category")
    list_filter = (
        "is_active",
        "company__storefront",
        ("company", AutocompleteFilter),
        ("category", AutocompleteFilter),
    )
    search_fields = ("name", "sku", "company__name")
    search_help_text = _("Part of the product's name, its SKU or the company's name.")
    autocomplete_fields = ("company", "category")
    fields = ("company", "category", "name", "sku", "price", "stock", "is_active", "created_at")
    ordering = ("-id",)

    def get_readonly_fields(self, request, obj=None):
        return ("created_at",) if obj is None else ("company", "created_at")

    def save_model(self, request, obj: Product, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name in PRODUCT_FIELDS}
            if fields:
                product_update(product=obj, **fields)
            return
        product = product_create(
            company=data["company"],
            category=data["category"],
            name=data["name"],
            sku=data["sku"],
            price=data["price"],
            stock=data["stock"],
            is_active=data["is_active"],
        )
        adopt(obj, product)
