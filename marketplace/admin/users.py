"""Admin for the project's User: the stock UserAdmin plus the person's buyer and seller roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from marketplace.models import BuyerProfile, SellerProfile, User

from .common import LargeTableAdmin, ReadOnlyInline


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return (
            ("buyer", _("Buyer")),
            ("seller", _("Seller staff")),
            ("none", _("Neither")),
        )

    def queryset(self, request, queryset):
        if self.value() == "buyer":
            return queryset.filter(buyer_profile__isnull=False)
        if self.value() == "seller":
            return queryset.filter(seller_profile__isnull=False)
        if self.value() == "none":
            return queryset.filter(buyer_profile__isnull=True, seller_profile__isnull=True)
        return queryset


class BuyerProfileInline(ReadOnlyInline):
    """The buyer role; it is edited on its own page, where changes go through the services."""

    model = BuyerProfile
    fields = ("storefront", "city", "email_confirmed_at", "last_activity_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("storefront")


class SellerProfileInline(ReadOnlyInline):
    """The seller role (staff of a company); edited on the seller staff page."""

    model = SellerProfile
    fields = ("company", "is_owner", "created_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company")


@admin.register(User)
class MarketplaceUserAdmin(LargeTableAdmin, UserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_buyer",
        "is_seller",
        "is_staff",
        "date_joined",
    )
    # reverse one-to-ones: one LEFT JOIN each, so the role columns cost no query per row
    list_select_related = ("buyer_profile", "seller_profile")
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter, "groups")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("username",)
    inlines = (BuyerProfileInline, SellerProfileInline)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("buyer"), boolean=True)
    def is_buyer(self, user: User) -> bool:
        return user.is_buyer

    @admin.display(description=_("seller"), boolean=True)
    def is_seller(self, user: User) -> bool:
        return user.is_seller

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()
