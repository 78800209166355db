"""Admin of the buyer journeys: the thresholds (one row), the detectors' schedules (links to
django-celery-beat's periodic tasks), and read-only logs of messages, surveys and coupons."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from marketplace.admin.common import ReadOnlyMixin

from .models import (
    Coupon,
    DeliverySurveyAnswer,
    InterestSurveyAnswer,
    JourneyLog,
    JourneySettings,
)

DETECTOR_TASK = "journeys.tasks.run_detector"


@admin.register(JourneySettings)
class JourneySettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it (created with the defaults on first visit), so
    there is nothing to add or delete. No query in `has_add_permission`: it runs on every
    admin page for the side bar."""

    readonly_fields = ("schedules",)
    fieldsets = (
        (_("E-mail confirmation"), {"fields": (
            "confirmation_enabled", "confirmation_days", "confirmation_max_reminders")}),
        (_("Before the first purchase"), {"fields": (
            "first_purchase_enabled", "first_purchase_days")}),
        (_("Viewed products"), {"fields": ("browse_enabled", "browse_hours")}),
        (_("Abandoned cart"), {"fields": ("abandoned_cart_enabled", "abandoned_cart_hours")}),
        (_("Inactive buyers"), {"fields": ("inactive_enabled", "inactive_days")}),
        (_("Birthday"), {"fields": ("birthday_enabled",)}),
        (_("Delivery survey"), {"fields": (
            "delivery_survey_enabled", "delivery_survey_hours", "low_rating",
            "coupon_percent", "coupon_amount", "coupon_valid_days")}),
        (_("Product selections and limits"), {"fields": (
            "selection_size", "popular_days", "max_per_run")}),
        (_("When the detectors run"), {"fields": ("schedules",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        row = JourneySettings.load()
        return HttpResponseRedirect(
            reverse("admin:journeys_journeysettings_change", args=[row.pk]))

    @admin.display(description=_("schedules"))
    def schedules(self, obj: JourneySettings) -> str:
        tasks = PeriodicTask.objects.filter(task=DETECTOR_TASK).select_related(
            "interval", "crontab").order_by("name")
        rows = format_html_join(
            "", "<li><a href='{}'>{}</a>: {}{}</li>",
            ((reverse("admin:django_celery_beat_periodictask_change", args=[t.pk]), t.name,
              t.scheduler,
              "" if t.enabled else " " + str(_("(off)"))) for t in tasks),
        )
        return format_html("<ul style='margin:0;padding-left:18px'>{}</ul>{}", rows,
                           _("Edit the times in Periodic tasks; a detector switched off above "
                             "does nothing when its task runs."))


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by the services only: listed and shown, never edited here."""


@admin.register(JourneyLog)
class JourneyLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "scenario", "user", "occurrence", "messages")
    list_filter = ("scenario",)
    search_fields = ("occurrence", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdmin):
    list_display = ("code", "buyer", "storefront", "discount_text", "valid_until", "used_at",
                    "used_order", "reason")
    list_filter = ("storefront", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "buyer__email")
    list_select_related = ("buyer", "storefront", "used_order")
    show_full_result_count = False


@admin.register(DeliverySurveyAnswer)
class DeliverySurveyAnswerAdmin(ReadOnlyAdmin):
    list_display = ("answered_at", "order", "shipping_method", "rating", "comment_start",
                    "quality_notified", "coupon")
    list_filter = ("rating", "shipping_method", "quality_notified")
    search_fields = ("order__id", "buyer__email", "comment")
    list_select_related = ("order", "shipping_method", "coupon")
    date_hierarchy = "answered_at"

    @admin.display(description=_("comment"))
    def comment_start(self, obj: DeliverySurveyAnswer) -> str:
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")


@admin.register(InterestSurveyAnswer)
class InterestSurveyAnswerAdmin(ReadOnlyAdmin):
    list_display = ("answered_at", "user", "categories_count")
    search_fields = ("user__email",)
    list_select_related = ("user",)
