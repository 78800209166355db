"""The delivery log: every outbox message with its attempts, filters, search and "Resend".

Rows are written by the engine only: no add or change here. Resend goes through
`outbox_resend` after a confirmation page whose one-time token makes a repeated submit a no-op.
"""

from __future__ import annotations

import json
import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin.common import LargeTableAdmin, ReadOnlyInline, ReadOnlyMixin
from notifications.events import EVENTS
from notifications.models import DeliveryAttempt, MessageStatus, OutboxMessage
from notifications.services.resend import RESENDABLE, outbox_resend

STATUS_COLOURS = {
    MessageStatus.PENDING: "#ad6800", MessageStatus.SENDING: "#1565c0",
    MessageStatus.SENT: "#2e7d32", MessageStatus.FAILED: "#c62828",
    MessageStatus.SKIPPED: "#6d6d6d",
}


def status_badge(status: str, label: str) -> str:
    return format_html('<strong style="color:{}">{}</strong>', STATUS_COLOURS.get(status, ""),
                       label)


class EventFilter(admin.SimpleListFilter):
    """Events of the catalogue (no query: the choices come from `events.EVENTS`)."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(name, name) for name in EVENTS if EVENTS[name].audiences]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(event__event=value) if value else queryset


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "duration_ms", "backend", "channel", "outcome",
              "provider_id", "error")
    readonly_fields = fields
    verbose_name_plural = _("attempt history")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, LargeTableAdmin):
    change_list_template = "admin/notifications/outboxmessage/change_list.html"
    change_form_template = "admin/notifications/outboxmessage/change_form.html"
    list_display = ("id", "created_at", "event_name", "role", "channel", "recipient",
                    "status_display", "attempts", "backend", "storefront", "error_short")
    list_display_links = ("id", "event_name")
    list_filter = (EventFilter, "role", "channel", "status",
                   ("event__storefront", admin.RelatedFieldListFilter),
                   ("created_at", admin.DateFieldListFilter))
    list_select_related = ("event", "event__storefront")
    search_fields = ("recipient",)
    search_help_text = _("Search by recipient address (or part of it).")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["resend"]
    inlines = [AttemptInline]
    fieldsets = [
        (None, {"fields": ("event_name", "storefront", "role", "channel", "recipient",
                           "recipient_user", "company", "sender", "language")}),
        (_("Delivery"), {"fields": ("status_display", "attempts", "next_attempt_at",
                                    "claimed_at", "sent_at", "backend", "provider_id", "error",
                                    "idempotency_key", "created_at")}),
        (_("Data the templates saw"), {"fields": ("payload",), "classes": ("collapse",)}),
    ]
    readonly_fields = ("event_name", "storefront", "status_display", "payload")

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.display(description=_("event"), ordering="event__event")
    def event_name(self, obj: OutboxMessage) -> str:
        variant = f".{obj.event.variant}" if obj.event.variant else ""
        return f"{obj.event.event}{variant}"

    @admin.display(description=_("storefront"))
    def storefront(self, obj: OutboxMessage) -> str:
        return str(obj.event.storefront) if obj.event.storefront_id else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: OutboxMessage) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("error or skip reason"))
    def error_short(self, obj: OutboxMessage) -> str:
        return Truncator(obj.error).chars(80)

    @admin.display(description=_("payload"))
    def payload(self, obj: OutboxMessage) -> str:
        text = json.dumps(obj.event.payload, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    # -- resend ----------------------------------------------------------------------------

    @admin.action(description=_("Resend selected messages"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset):
        """First the confirmation page (with a one-time token), then the service."""
        ids = list(queryset.values_list("pk", flat=True)[:500])
        if request.POST.get("post") == "yes":
            self._resend(request, ids)
            return None
        return self._confirm(request, ids, action_url="")

    def get_urls(self):
        view = self.admin_site.admin_view(self.resend_view)
        return [path("<int:object_id>/resend/", view,
                     name="notifications_outboxmessage_resend"), *super().get_urls()]

    def resend_view(self, request: HttpRequest, object_id: int):
        if not self.has_resend_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:notifications_outboxmessage_change", args=[object_id])
        if request.method == "POST":
            self._resend(request, [object_id])
            return HttpResponseRedirect(change_url)
        return self._confirm(request, [object_id], action_url=request.path)

    def _confirm(self, request: HttpRequest, ids: list[int], *, action_url: str):
        rows = list(OutboxMessage.objects.filter(pk__in=ids).select_related("event")
                    .order_by("pk"))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Resend messages"), "rows": rows, "token": uuid.uuid4().hex,
            "resendable": [r for r in rows if r.status in RESENDABLE],
            "busy": [r for r in rows if r.status not in RESENDABLE],
            "action_url": action_url, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/notifications/outboxmessage/resend.html", context)

    def _resend(self, request: HttpRequest, ids: list[int]) -> None:
        token = request.POST.get("token", "")
        if not token:
            self.message_user(request, _("The resend form expired; please try again."),
                              messages.ERROR)
            return
        report = outbox_resend(message_ids=ids, request_token=token)
        if report.queued:
            self.message_user(request, ngettext(
                "%(count)d message queued again as a new delivery.",
                "%(count)d messages queued again as new deliveries.", len(report.queued),
            ) % {"count": len(report.queued)}, messages.SUCCESS)
        if report.repeated:
            self.message_user(request, _("Already queued by this form, not queued again: "
                                         "%(ids)s.") % {"ids": _ids(report.repeated)},
                              messages.WARNING)
        if report.refused:
            self.message_user(request, _("Still pending or sending, so not resent: %(ids)s.")
                              % {"ids": _ids(report.refused)}, messages.WARNING)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{pk}" for pk in ids)
