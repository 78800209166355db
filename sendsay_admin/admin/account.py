"""The Sendsay account admin: the Connection screen (write-only key, guidance, status, SMTP
fallback) and the URLs of the Field mapping, Senders and Support report pages."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from sendsay_admin.models import AccountStatus, SendsayAccount
from sendsay_admin.services import account_save_credentials, smtp_fallback_status

from . import connection, mapping, senders, support
from .common import URL_PREFIX
from .forms import SendsayAccountForm, TestSendForm

FREE_PLAN_NOTE = (
    "Free plan: Sendsay adds its own logo to every letter and accepts only 200 contact uploads."
)
STATE_COLOURS = {
    AccountStatus.CONNECTED: "#2e7d32", AccountStatus.FAILING: "#c62828",
    AccountStatus.DISABLED: "#6d6d6d", AccountStatus.NOT_CONFIGURED: "#ad6800",
}
sensitive_key = method_decorator(sensitive_post_parameters("api_key"))


@admin.register(SendsayAccount)
class SendsayAccountAdmin(admin.ModelAdmin):
    form = SendsayAccountForm
    list_display = ("scope", "login", "state_badge", "tariff_display", "checked_at", "enabled")
    list_select_related = ("storefront",)
    fieldsets = [("Credentials", {
        "fields": ("storefront", "login", "api_key"),
        "description": "Connect the marketplace (or one storefront) to Sendsay with an API "
                       "login and API key. After saving, use “Check connection”.",
    })]

    @admin.display(description="Scope", ordering="storefront__name")
    def scope(self, obj: SendsayAccount) -> str:
        return obj.scope_label

    @admin.display(description="State")
    def state_badge(self, obj: SendsayAccount) -> str:
        return format_html('<strong style="color:{}">{}</strong>',
                           STATE_COLOURS[obj.state], obj.get_state_display())

    @admin.display(description="Tariff")
    def tariff_display(self, obj: SendsayAccount) -> str:
        return f"{obj.tariff} (free plan)" if obj.is_free_plan else obj.tariff

    def get_readonly_fields(self, request, obj=None):
        # The scope of an existing account stays put: its mappings belong to that scope.
        return ("storefront",) if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        account_save_credentials(account=obj, login=form.cleaned_data["login"],
                                 api_key=form.cleaned_data.get("api_key") or None)

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(reverse(f"admin:{URL_PREFIX}_change", args=[obj.pk]))

    @sensitive_key
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "smtp": smtp_fallback_status(),
                 "test_form": TestSendForm(), "free_plan_note": FREE_PLAN_NOTE}
        if object_id:
            account = self.get_object(request, object_id)
            if account is not None:
                extra["recent_errors"] = list(account.errors.all()[:5])
        return super().changeform_view(request, object_id, form_url, extra)

    def get_urls(self):
        def view(func, suffix: str, route: str):
            wrapped = self.admin_site.admin_view(
                lambda request, object_id: func(request, self, object_id))
            return path(f"<path:object_id>/{route}/", wrapped, name=f"{URL_PREFIX}_{suffix}")

        return [
            view(connection.check_view, "check", "check"),
            view(connection.toggle_view, "toggle", "toggle"),
            view(connection.smtp_test_view, "smtp_test", "smtp-test"),
            view(mapping.mapping_view, "mapping", "mapping"),
            view(mapping.create_field_view, "create_field", "mapping/create-field"),
            view(senders.senders_view, "senders", "senders"),
            view(support.support_view, "support", "support"),
            *super().get_urls(),
        ]
