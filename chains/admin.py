"""Admin of chains (steps inline, delays, subject, exit condition, Sendsay hand-over),
their enrolments, the sales-milestone thresholds and the milestones sellers reached."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import ChainForm, ChainStepForm
from .models import Chain, ChainEnrolment, ChainStep, MilestoneThreshold, SellerMilestone
from .services import enrolments_cancel


class ChainStepInline(admin.TabularInline):
    model = ChainStep
    form = ChainStepForm
    extra = 0
    ordering = ("position",)


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    form = ChainForm
    inlines = (ChainStepInline,)
    list_display = ("name", "code", "audience", "trigger", "exit_condition", "mode", "active",
                    "running", "finished")
    list_filter = ("audience", "mode", "active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "code", "audience", "active")}),
        (_("Entry and exit"), {"fields": ("trigger", "exit_condition")}),
        (_("Letters"), {
            "description": _("The letters are the steps below; each is sent its delay after "
                             "the previous one. One subject keeps them in one thread."),
            "fields": ("subject",),
        }),
        (_("Where it runs"), {
            "description": _("A chain handed to Sendsay starts the Sendsay sequence or sends the "
                             "e-commerce event that triggers the automation; on exit the "
                             "sequence is stopped. With the Sendsay module off, the steps below "
                             "run here."),
            "fields": ("mode", "sendsay_trigger", "sendsay_sequence_id", "sendsay_event_type",
                       "sendsay_event_fields"),
        }),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            running_count=Count("enrolments", filter=Q(enrolments__finished_at__isnull=True)),
            finished_count=Count("enrolments", filter=Q(enrolments__finished_at__isnull=False)),
        )

    @admin.display(description=_("running"), ordering="running_count")
    def running(self, obj):
        return obj.running_count

    @admin.display(description=_("finished"), ordering="finished_count")
    def finished(self, obj):
        return obj.finished_count


@admin.register(ChainEnrolment)
class ChainEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("chain", "recipient_name", "enrolled_at", "next_step", "next_run_at",
                    "finished_at", "finish_reason", "sendsay_started_at", "sendsay_stopped_at")
    list_filter = ("chain", "finish_reason", ("finished_at", admin.EmptyFieldListFilter))
    list_select_related = ("chain", "company", "user")
    search_fields = ("company__name", "company__email", "user__email")
    date_hierarchy = "enrolled_at"
    readonly_fields = ("chain", "company", "user", "enrolled_at", "finished_at", "finish_reason",
                       "sendsay_started_at", "sendsay_stopped_at", "attempts", "last_error")
    fields = (*readonly_fields[:4], "next_step", "next_run_at", *readonly_fields[4:])
    actions = ("cancel",)

    def has_add_permission(self, request):
        return False  # recipients enter on their chain's trigger

    @admin.display(description=_("recipient"))
    def recipient_name(self, obj):
        return str(obj.recipient)

    @admin.action(description=_("Stop the selected enrolments"), permissions=["change"])
    def cancel(self, request, queryset):
        count = enrolments_cancel(queryset=queryset)
        self.message_user(request, ngettext("%(count)d enrolment stopped.",
                                            "%(count)d enrolments stopped.", count)
                          % {"count": count}, messages.SUCCESS)


@admin.register(MilestoneThreshold)
class MilestoneThresholdAdmin(admin.ModelAdmin):
    list_display = ("sales", "active")
    list_editable = ("active",)


@admin.register(SellerMilestone)
class SellerMilestoneAdmin(admin.ModelAdmin):
    list_display = ("company", "milestone", "reached_at", "order")
    list_filter = ("milestone",)
    list_select_related = ("company", "order")
    search_fields = ("company__name",)
    readonly_fields = ("company", "milestone", "order", "reached_at")

    def has_add_permission(self, request):
        return False  # written once, in the transaction of the sale
