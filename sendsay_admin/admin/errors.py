"""A read-only list of the Sendsay errors the product has seen (ids and explanations)."""

from __future__ import annotations

from django.contrib import admin

from sendsay_admin.models import SendsayErrorLog


@admin.register(SendsayErrorLog)
class SendsayErrorLogAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "account", "action", "error_id", "explain")
    list_filter = ("account", "error_id")
    list_select_related = ("account__storefront",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
