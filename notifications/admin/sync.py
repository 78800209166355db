"""The Sendsay sync log: what was (or will be) sent to Sendsay, with "Send again"."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin.common import LargeTableAdmin, ReadOnlyMixin
from notifications.models import SyncItem
from notifications.sync.flush import sync_retry

from .log import status_badge


@admin.register(SyncItem)
class SyncItemAdmin(ReadOnlyMixin, LargeTableAdmin):
    list_display = ("id", "changed_at", "kind", "source_event", "event_type", "contact",
                    "status_display", "attempts", "login", "error_short")
    list_filter = ("kind", "status", "role", "source_event", "event_type",
                   ("changed_at", admin.DateFieldListFilter))
    list_select_related = ("user", "company")
    search_fields = ("user__email", "company__email")
    search_help_text = _("Search by the contact's e-mail address.")
    date_hierarchy = "changed_at"
    ordering = ("-changed_at", "-id")
    actions = ["send_again"]
    fields = ("kind", "key", "source_event", "role", "user", "company", "event_type",
              "refs_display", "ordering_key", "generation", "status_display", "attempts",
              "next_attempt_at", "claimed_at", "sent_at", "login", "error", "created_at",
              "changed_at")
    readonly_fields = ("status_display", "refs_display")

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_syncitem")

    @admin.display(description=_("contact"))
    def contact(self, obj: SyncItem) -> str:
        return obj.company.email if obj.company_id else obj.user.email

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: SyncItem) -> str:
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("error or skip reason"))
    def error_short(self, obj: SyncItem) -> str:
        return Truncator(obj.error).chars(80)

    @admin.display(description=_("references"))
    def refs_display(self, obj: SyncItem) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.refs, indent=2, sort_keys=True))

    @admin.action(description=_("Send selected rows again"), permissions=["retry"])
    def send_again(self, request: HttpRequest, queryset) -> None:
        wanted = list(queryset.values_list("pk", flat=True)[:500])
        restarted = sync_retry(item_ids=wanted)
        if restarted:
            self.message_user(request, ngettext(
                "%(count)d row will be sent again.", "%(count)d rows will be sent again.",
                len(restarted)) % {"count": len(restarted)}, messages.SUCCESS)
        if len(restarted) < len(wanted):
            self.message_user(request, _(
                "Left alone: rows still on their way, and e-commerce events Sendsay already has "
                "(sending one again would count it twice)."), messages.WARNING)
