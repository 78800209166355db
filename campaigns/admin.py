"""The campaign admin: edit (content per role inline), launch now or schedule, preview
against a sample recipient, test send, pause / resume, live progress, and a results page
with our counts, Sendsay's statistics (refresh button) and a chart. Each action is one
service call; Sendsay and SMTP are never called from here directly."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audience.admin import sendsay_error_text
from notifications.channels.base import DeliveryError
from notifications.exceptions import TemplateError
from sendsay_admin.client import SendsayError

from .exceptions import CampaignError
from .forms import CampaignForm, LaunchForm, PreviewForm, TestSendForm
from .models import Campaign, CampaignContent, CampaignIssue, CampaignStatus
from .selectors import audience_count, campaign_progress, campaign_results
from .services import (
    campaign_launch,
    campaign_pause,
    campaign_preview,
    campaign_problems,
    campaign_resume,
    campaign_send_test,
    campaign_stats_refresh,
)

EDITABLE = frozenset({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.PAUSED})
TEMPLATES = "admin/campaigns/campaign/"


class CampaignContentInline(admin.StackedInline):
    model = CampaignContent
    extra = 1
    max_num = 3
    fields = ("role", "subject", "html", "text")

    def _editable(self, obj) -> bool:
        return obj is None or obj.status in EDITABLE

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class CampaignIssueInline(admin.TabularInline):
    model = CampaignIssue
    extra = 0
    can_delete = False
    fields = ("role", "group_id", "state", "recipients", "track_id", "issue_id", "sent_at",
              "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    inlines = (CampaignContentInline, CampaignIssueInline)
    change_form_template = TEMPLATES + "change_form.html"
    list_display = ("name", "channel", "audience", "status", "scheduled_at", "progress",
                    "transport", "results_link")
    list_filter = ("status", "channel", "transport")
    search_fields = ("name",)
    autocomplete_fields = ("segment",)
    STATE_FIELDS = ("status", "transport", "scheduled_at", "started_at", "finished_at",
                    "delayed_until", "error")
    fieldsets = (
        (None, {"fields": ("name", "storefront")}),
        (_("Audience and channel"), {"fields": ("segment", "roles", "channel",
                                                "broadcast_group_id")}),
        (_("Marketing rules"), {"fields": ("throttle_rate", ("quiet_start", "quiet_end"))}),
        (_("State"), {"fields": STATE_FIELDS}),
    )

    class Media:
        js = ("campaigns/progress.js",)

    @admin.display(description=_("audience"))
    def audience(self, obj: Campaign) -> str:
        if obj.is_broadcast:
            return gettext("group %(id)s") % {"id": obj.broadcast_group_id}
        return str(obj.segment) if obj.segment_id else ", ".join(obj.roles or [])

    @admin.display(description=_("progress"))
    def progress(self, obj: Campaign) -> str:
        progress = campaign_progress(obj)
        return f"{progress.done} / {progress.total}" if progress.total else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in EDITABLE:
            return [f for fs in self.fieldsets for row in fs[1]["fields"]
                    for f in (row if isinstance(row, tuple) else (row,))]
        return self.STATE_FIELDS

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status not in EDITABLE:
            kwargs["form"] = forms.ModelForm  # everything is read-only: no audience rules
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        views = [
            ("launch", self.launch_view), ("preview", self.preview_view),
            ("test-send", self.test_send_view), ("pause", self.pause_view),
            ("resume", self.resume_view), ("results", self.results_view),
            ("refresh-stats", self.refresh_stats_view), ("progress", self.progress_view),
        ]
        own = [path(f"<path:object_id>/{name}/", self.admin_site.admin_view(view),
                    name=f"{prefix}_{name.replace('-', '_')}") for name, view in views]
        return own + super().get_urls()

    # -- helpers -------------------------------------------------------------------------

    def _campaign(self, request, object_id: str, *, change: bool = True) -> Campaign:
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404(gettext("No such campaign."))
        allowed = (self.has_change_permission(request, campaign) if change
                   else self.has_view_permission(request, campaign))
        if not allowed:
            raise PermissionDenied
        return campaign

    def _back(self, campaign: Campaign, view: str = "change") -> HttpResponse:
        return redirect(reverse(f"admin:campaigns_campaign_{view}", args=[campaign.pk]))

    def _context(self, request, campaign: Campaign, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta,
                "original": campaign, "title": title, **extra}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, unquote(object_id))
        if campaign is not None and request.method == "GET":
            extra_context = {**(extra_context or {}),
                             "progress": campaign_progress(campaign),
                             "audience_size": None if campaign.is_broadcast
                             else audience_count(campaign),
                             "editable": campaign.status in EDITABLE}
        return super().change_view(request, object_id, form_url, extra_context)

    # -- launch, pause, resume -----------------------------------------------------------

    def launch_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        form = LaunchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                campaign = campaign_launch(campaign=campaign, when=form.cleaned_data["send_at"])
            except CampaignError as exc:
                messages.error(request, str(exc))
            else:
                if campaign.status == CampaignStatus.SCHEDULED:
                    when = localize(timezone.localtime(campaign.scheduled_at))
                    messages.success(request, gettext("Scheduled for %(when)s.") % {"when": when})
                else:
                    messages.success(request, gettext("Sending has started."))
                return self._back(campaign)
        context = self._context(
            request, campaign, gettext("Launch %(name)s") % {"name": campaign},
            form=form, problems=campaign_problems(campaign),
            audience_size=None if campaign.is_broadcast else audience_count(campaign))
        return TemplateResponse(request, TEMPLATES + "launch.html", context)

    def pause_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._state_change)(request, object_id, campaign_pause,
                                                gettext("Paused."))

    def resume_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._state_change)(request, object_id, campaign_resume,
                                                gettext("Resumed."))

    def _state_change(self, request, object_id, service, done: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        try:
            service(campaign=campaign)
        except CampaignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return self._back(campaign)

    # -- preview and test send -----------------------------------------------------------

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=False)
        roles = list(campaign.contents.values_list("role", flat=True))
        form = PreviewForm(request.GET or None, initial={"role": roles[0] if roles else ""})
        role = form.cleaned_data["role"] if form.is_valid() else (roles[0] if roles else "")
        email = form.cleaned_data.get("email", "") if form.is_valid() else ""
        preview = campaign_preview(campaign=campaign, role=role, email=email) if role else None
        test_form = TestSendForm(initial={"role": role, "sample_email": email})
        context = self._context(request, campaign, gettext("Preview of %(name)s")
                                % {"name": campaign}, form=form, preview=preview,
                                test_form=test_form)
        return TemplateResponse(request, TEMPLATES + "preview.html", context)

    def test_send_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._test_send)(request, object_id)

    def _test_send(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        form = TestSendForm(request.POST)
        back = reverse("admin:campaigns_campaign_preview", args=[campaign.pk])
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(back)
        data = form.cleaned_data
        try:
            result = campaign_send_test(campaign=campaign, role=data["role"], to=data["to"],
                                        sample_email=data["sample_email"] or "")
        except SendsayError as exc:
            messages.error(request, sendsay_error_text(exc))
        except (CampaignError, TemplateError, DeliveryError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Test sent to %(to)s via %(backend)s.")
                             % {"to": data["to"], "backend": result.backend})
        return redirect(f"{back}?role={data['role']}")

    # -- progress and results ------------------------------------------------------------

    def progress_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        campaign = self._campaign(request, object_id, change=False)
        return JsonResponse({"status": campaign.status,
                             "status_label": str(campaign.get_status_display()),
                             **campaign_progress(campaign).as_dict()})

    def results_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=False)
        results = campaign_results(campaign)
        context = self._context(request, campaign, gettext("Results of %(name)s")
                                % {"name": campaign}, results=results,
                                chart=results.chart(),
                                can_refresh=any(i.issue_id or i.track_id for i in results.issues))
        return TemplateResponse(request, TEMPLATES + "results.html", context)

    def refresh_stats_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._refresh_stats)(request, object_id)

    def _refresh_stats(self, request: HttpRequest, object_id: str) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        try:
            refreshed = campaign_stats_refresh(campaign=campaign)
        except SendsayError as exc:
            messages.error(request, sendsay_error_text(exc))
        except CampaignError as exc:
            messages.error(request, str(exc))
        else:
            if refreshed:
                messages.success(request, gettext("Statistics refreshed from Sendsay."))
            else:
                messages.warning(request, gettext("Sendsay has no statistics for this "
                                                  "campaign yet."))
        return self._back(campaign, "results")

    @admin.display(description=_("results"))
    def results_link(self, obj: Campaign) -> str:
        url = reverse("admin:campaigns_campaign_results", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("results"))
