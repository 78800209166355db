"""The segment admin: the rules form with a live member count, a sample of members, and the
"Sync to Sendsay as a list" button and action (each a call to `services.segment_sync`)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sendsay_admin.client import SendsayError

from .exceptions import AudienceError
from .forms import SegmentForm, SegmentRulesForm
from .models import Segment
from .selectors import segment_count, segment_sample
from .services import segment_sync

SYNC_FIELDS = (
    "sync_status", "synced_at", "synced_count", "sync_error", "sendsay_group_id", "sendsay_login",
)


def sendsay_error_text(exc: SendsayError) -> str:
    """Sendsay's error id and explanation for an admin message (never a traceback)."""
    text = gettext("Sendsay error %(id)s") % {"id": exc.error_id or type(exc).__name__}
    detail = exc.explain or exc.message
    if detail:
        text += f": {detail}"
    if exc.action:
        text += " " + gettext("(action %(action)s)") % {"action": exc.action}
    return text


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    change_form_template = "admin/audience/segment/change_form.html"
    list_display = ("name", "role", "sync_status", "synced_count", "synced_at", "updated_at")
    list_filter = ("role", "sync_status")
    search_fields = ("name",)
    autocomplete_fields = ("categories",)
    readonly_fields = SYNC_FIELDS
    actions = ("sync_to_sendsay",)
    fieldsets = (
        (None, {"fields": ("name", "role", "storefronts")}),
        (_("Buyer rules"), {
            "description": _("Used when the role is buyers. Empty fields match everyone."),
            "fields": (
                ("age_min", "age_max"), "gender", "birthday_within_days", "email_confirmed",
                ("last_activity_after", "last_activity_before"), ("orders_min", "orders_max"),
                ("spent_min", "spent_max"), "abandoned_cart_hours", "shipping_methods",
                "categories",
            ),
        }),
        (_("Seller rules"), {
            "description": _("Used when the role is sellers: every staff member of a matching "
                             "company is in the segment."),
            "fields": ("seller_status", ("products_min", "products_max"),
                       ("sales_min", "sales_max")),
        }),
        (_("Sendsay list"), {"fields": SYNC_FIELDS}),
    )

    class Media:
        js = ("audience/segment_count.js",)

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        own = [
            path("count/", self.admin_site.admin_view(self.count_view), name=f"{prefix}_count"),
            path("<path:object_id>/sync/", self.admin_site.admin_view(self.sync_view),
                 name=f"{prefix}_sync"),
        ]
        return own + super().get_urls()

    # -- live count ----------------------------------------------------------------------

    def count_view(self, request: HttpRequest) -> HttpResponse:
        """POST the unsaved form -> `{"count": n}`; invalid rules -> `{"count": null, "errors":
        {field: [messages]}}`, still 200: a rule being edited is no failed request."""
        if request.method != "POST":
            return JsonResponse({"error": "POST the segment form."}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return JsonResponse({"error": gettext("Permission denied.")}, status=403)
        form = SegmentRulesForm(request.POST)
        if not form.is_valid():
            errors = {name: [e["message"] for e in items]
                      for name, items in form.errors.get_json_data().items()}
            return JsonResponse({"count": None, "errors": errors})
        return JsonResponse({"count": segment_count(form.rules())})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        segment = self.get_object(request, unquote(object_id))
        if segment is not None and request.method == "GET":
            extra_context = {**(extra_context or {}),
                             "segment_count": segment_count(segment),
                             "segment_sample": segment_sample(segment)}
        return super().change_view(request, object_id, form_url, extra_context)

    # -- sync ----------------------------------------------------------------------------

    @admin.action(description=_("Sync to Sendsay as a list"), permissions=["change"])
    def sync_to_sendsay(self, request: HttpRequest, queryset) -> None:
        for segment in queryset:
            self._sync(request, segment)

    def sync_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._sync_view)(request, object_id)

    def _sync_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        segment = self.get_object(request, unquote(object_id))
        if segment is None:
            raise Http404(gettext("No such segment."))
        if not self.has_change_permission(request, segment):
            raise PermissionDenied
        self._sync(request, segment)
        return redirect(reverse("admin:audience_segment_change", args=[segment.pk]))

    def _sync(self, request: HttpRequest, segment: Segment) -> None:
        try:
            result = segment_sync(segment=segment)
        except SendsayError as exc:
            messages.error(request, f"{segment}: {sendsay_error_text(exc)}")
        except AudienceError as exc:
            messages.error(request, f"{segment}: {exc}")
        else:
            level = messages.WARNING if result.refused else messages.SUCCESS
            text = gettext(
                "%(segment)s: %(uploaded)s addresses in Sendsay list %(list)s."
            ) % {"segment": segment, "uploaded": result.uploaded, "list": result.group_id}
            if result.refused:
                text += " " + segment.sync_error
            messages.add_message(request, level, text)
