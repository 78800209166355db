"""Template overrides: per storefront and language, with a preview against sample data or a
real order or user, a test send to an address, and "start from the shipped default".

Preview and test send post the change form as it is on the screen (unsaved) to their own
views, which open in a new tab; errors come back as messages on that page, never as a trace.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.channels.base import DeliveryError
from notifications.exceptions import MissingRefError, NotificationError
from notifications.models import TemplateOverride
from notifications.rendering import preview
from notifications.services.testsend import template_send_test
from sendsay_admin.crypto import SecretDecryptError
from sendsay_admin.services import SendsayAdminError

from .forms import OverrideDraftForm, PreviewSourceForm, TemplateOverrideForm, key_choices
from .previews import default_parts, preview_extras, preview_payload

URL = "notifications_templateoverride"


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin):
    form = TemplateOverrideForm
    change_form_template = "admin/notifications/templateoverride/change_form.html"
    list_display = ("__str__", "event", "role", "channel", "variant", "language",
                    "storefront_name", "active", "uses_draft", "updated_at")
    list_filter = ("event", "role", "channel", "language", "storefront", "active")
    list_select_related = ("storefront",)
    search_fields = ("event", "subject", "sendsay_draft_id")
    fieldsets = [
        (None, {"fields": ("event", "role", "channel", "variant", "language", "storefront",
                           "active")}),
        (gettext_lazy("Content"), {
            "fields": ("subject", "html", "text"),
            "description": gettext_lazy(
                "Django template language over the event's data only (see the preview). HTML "
                "is escaped automatically. A blank part uses the shipped default; blank text "
                "with HTML is made from the HTML."),
        }),
        (gettext_lazy("Sendsay draft"), {
            "fields": ("sendsay_draft_id",),
            "description": gettext_lazy(
                "Send a letter designed in Sendsay instead, with the event's data as "
                "personalisation. With the module off the local content above is used."),
        }),
    ]

    @admin.display(description=gettext_lazy("storefront"), ordering="storefront__name")
    def storefront_name(self, obj: TemplateOverride) -> str:
        return obj.storefront.name if obj.storefront_id else _("All storefronts")

    @admin.display(description=gettext_lazy("Sendsay draft"), boolean=True)
    def uses_draft(self, obj: TemplateOverride) -> bool:
        return bool(obj.sendsay_draft_id)

    # -- start from the shipped default ----------------------------------------------------

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """`?key=event|role|channel|variant&language=xx` (the "start from the shipped
        default" form) fills the key and the default's subject, HTML and text."""
        initial = super().get_changeform_initial_data(request)
        key = request.GET.get("key", "")
        if key in dict(key_choices()):
            event, role, channel, variant = key.split("|")
            language = request.GET.get("language") or "ru"
            initial = {"event": event, "role": role, "channel": channel, "variant": variant,
                       "language": language,
                       **default_parts(event, role, channel, variant, language)}
        return initial

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        """`?from_default=1` on an override's page shows the shipped default's text in the
        form (nothing changes until it is saved)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.GET.get("from_default") and request.method == "GET":
            parts = default_parts(obj.event, obj.role, obj.channel, obj.variant, obj.language)
            obj.subject, obj.html, obj.text = parts["subject"], parts["html"], parts["text"]
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {
            **(extra_context or {}), "preview_form": PreviewSourceForm(),
            "key_choices": key_choices(), "languages": _languages(),
            "chosen_key": request.GET.get("key", ""),
            "preview_url": reverse(f"admin:{URL}_preview"),
            "send_test_url": reverse(f"admin:{URL}_send_test"),
        }
        return super().changeform_view(request, object_id, form_url, extra)

    # -- preview and test send -------------------------------------------------------------

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        return [
            path("preview/", view(self.preview_view), name=f"{URL}_preview"),
            path("send-test/", view(self.send_test_view), name=f"{URL}_send_test"),
            *super().get_urls(),
        ]

    def _guard(self, request: HttpRequest):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        return None

    def preview_view(self, request: HttpRequest):
        if refused := self._guard(request):
            return refused
        context = self._render(request)
        return self._page(request, _("Template preview"), context)

    def send_test_view(self, request: HttpRequest):
        if refused := self._guard(request):
            return refused
        context = self._render(request)
        to = context["source_form"].cleaned_data.get("to") if context["source_ok"] else ""
        if not context["errors"] and context["rendered"] is not None:
            if to:
                context["test"] = self._send(context, to)
            else:
                context["errors"].append(_("Enter the address to send the test to."))
        return self._page(request, _("Test send"), context)

    def _render(self, request: HttpRequest) -> dict:
        draft, source = OverrideDraftForm(request.POST), PreviewSourceForm(request.POST)
        context: dict = {"draft_form": draft, "source_form": source, "errors": [],
                         "rendered": None, "source_ok": source.is_valid()}
        if not draft.is_valid():
            context["errors"] += _form_errors(draft)
            return context
        if not context["source_ok"]:
            context["errors"] += _form_errors(source)
            return context
        override = draft.override()
        context["override"] = override
        try:
            payload = preview_payload(override.event, override.variant, **source.refs())
        except MissingRefError as exc:
            context["errors"].append(_("This data cannot be used for %(event)s: %(error)s")
                                     % {"event": override.event, "error": exc})
            return context
        result = preview(override.event, override.role, override.channel, override.variant,
                         override.language, override.storefront_id, payload,
                         extras=preview_extras(override.event), override=override)
        context.update(payload=payload, rendered=result.rendered)
        if result.error:
            context["errors"].append(result.error)
        return context

    def _send(self, context: dict, to: str) -> dict:
        override = context["override"]
        try:
            result = template_send_test(
                event=override.event, role=override.role, channel=override.channel,
                language=override.language, to=to, variant=override.variant,
                storefront_id=override.storefront_id, payload=context["payload"],
                override=override)
        except (DeliveryError, NotificationError, SendsayAdminError, SecretDecryptError) as exc:
            return {"ok": False, "to": to, "error": str(exc)}
        return {"ok": True, "to": to, "backend": result.backend,
                "provider_id": result.provider_id}

    def _page(self, request: HttpRequest, title: str, context: dict):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": title, **context}
        return TemplateResponse(request, "admin/notifications/templateoverride/preview.html",
                                context)


def _form_errors(form) -> list[str]:
    return [f"{form.fields[name].label or name}: {' '.join(errors)}" if name != "__all__"
            else " ".join(errors) for name, errors in form.errors.items()]


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]
