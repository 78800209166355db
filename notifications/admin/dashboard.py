"""The delivery dashboard: messages per day by channel and status over the last 30 days (one
GROUP BY query), drawn with the vendored Chart.js, and the Sendsay sync backlog."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.admin.common import ReadOnlyMixin
from notifications.events import Channel
from notifications.models import DeliveryDashboard, MessageStatus, OutboxMessage, SyncItem

from .log import STATUS_COLOURS

DAYS = 30
CHANNEL_COLOURS = {
    Channel.EMAIL: "#1565c0", Channel.SMS: "#6a1b9a", Channel.TELEGRAM: "#0288d1",
    Channel.VK: "#283593", Channel.VIBER: "#7b1fa2", Channel.WHATSAPP: "#2e7d32",
    Channel.PUSH: "#ef6c00",
}


def delivery_counts(*, since: dt.datetime) -> list[dict]:
    """(day, channel, status, count) of the messages created since `since`, days in the
    current time zone: ONE query, grouped in the database."""
    return list(
        OutboxMessage.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "channel", "status").annotate(count=Count("id"))
        .order_by("day", "channel", "status")
    )


def chart_data(rows: Iterable[Mapping], *, first_day: dt.date, days: int = DAYS) -> dict:
    """The chart's JSON (pure): the day labels, one series per (channel, status) with a count
    per day, and the labels and colours of channels and statuses."""
    labels = [first_day + dt.timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(labels)}
    series: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * days)
    for row in rows:
        if row["day"] in index:
            series[(row["channel"], row["status"])][index[row["day"]]] += row["count"]
    return {
        "labels": [day.isoformat() for day in labels],
        "series": [{"channel": channel, "status": status, "counts": counts}
                   for (channel, status), counts in sorted(series.items())],
        "channels": [{"value": c.value, "label": str(c.label), "colour": CHANNEL_COLOURS[c]}
                     for c in Channel],
        "statuses": [{"value": s.value, "label": str(s.label), "colour": STATUS_COLOURS[s]}
                     for s in MessageStatus],
    }


def totals(data: dict) -> list[dict]:
    """Channel x status totals of the period, for the table under the charts."""
    by_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in data["series"]:
        by_channel[item["channel"]][item["status"]] += sum(item["counts"])
    return [
        {"channel": c["label"], "value": c["value"],
         "counts": [by_channel[c["value"]][s["value"]] for s in data["statuses"]],
         "total": sum(by_channel[c["value"]].values())}
        for c in data["channels"] if c["value"] in by_channel
    ]


def sync_backlog() -> list[dict]:
    """Sendsay sync rows by kind and status (one GROUP BY)."""
    return list(SyncItem.objects.values("kind", "status").annotate(count=Count("id"))
                .order_by("kind", "status"))


@admin.register(DeliveryDashboard)
class DeliveryDashboardAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Listed in the app list as "Delivery dashboard"; its "list" is the dashboard page."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return (request.user.has_perm("notifications.view_deliverydashboard")
                or request.user.has_perm("notifications.view_outboxmessage"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="notifications_deliverydashboard_changelist")]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        first_day = today - dt.timedelta(days=DAYS - 1)
        since = timezone.make_aware(dt.datetime.combine(first_day, dt.time()))
        data = chart_data(delivery_counts(since=since), first_day=first_day)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Delivery dashboard"), "chart": data, "totals": totals(data),
            "statuses": data["statuses"], "sync": sync_backlog(), "days": DAYS,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/notifications/dashboard.html", context)
