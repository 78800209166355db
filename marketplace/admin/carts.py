"""Admin views of buyer activity: carts and product views (browse and delete, never edit)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplace.models import Cart, CartLine, ProductView

from .common import AutocompleteFilter, LargeTableAdmin, ReadOnlyInline, ViewOnlyMixin


class CartLineInline(ReadOnlyInline):
    model = CartLine
    fields = ("product", "quantity", "added_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(Cart)
class CartAdmin(ViewOnlyMixin, LargeTableAdmin):
    list_display = ("__str__", "buyer", "storefront", "created_at", "updated_at", "ordered_at")
    list_select_related = ("buyer", "storefront")
    list_filter = (
        "storefront",
        ("ordered_at", admin.EmptyFieldListFilter),
        ("updated_at", admin.DateFieldListFilter),
        ("buyer", AutocompleteFilter),
    )
    search_fields = ("buyer__email",)
    ordering = ("-updated_at",)  # indexed: the abandoned-cart detector reads the same way
    sortable_by = ("updated_at",)
    inlines = (CartLineInline,)


@admin.register(ProductView)
class ProductViewAdmin(ViewOnlyMixin, LargeTableAdmin):
    list_display = ("viewed_at", "buyer", "product")
    list_select_related = ("buyer", "product")
    list_filter = (
        ("viewed_at", admin.DateFieldListFilter),
        ("buyer", AutocompleteFilter),
        ("product", AutocompleteFilter),
    )
    search_fields = ("buyer__email", "product__name")
    search_help_text = _("Part of the buyer's e-mail or the product's name.")
    ordering = ("-id",)
    sortable_by = ()
