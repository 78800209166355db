"""Admin for storefronts and the single marketplace-settings row (plain reference data)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplace.models import MarketplaceSettings, Storefront


@admin.register(Storefront)
class StorefrontAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "company_name", "company_email", "language", "time_zone")
    list_filter = ("language",)
    search_fields = ("name", "domain", "company_name", "company_email")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "domain", "language", "time_zone")}),
        (_("Company and senders"), {"fields": ("company_name", "company_email", "admin_email")}),
        (_("Record"), {"fields": ("created_at",)}),
    )


@admin.register(MarketplaceSettings)
class MarketplaceSettingsAdmin(admin.ModelAdmin):
    """One row only: it can be added while there is none and never deleted."""

    list_display = ("__str__", "all_storefronts_email", "quality_email")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not MarketplaceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
