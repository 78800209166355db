"""The contact export admin: every run with a live progress bar and its counts, the upload budget
of each account with the "Export now" button, the export settings (list name, budget) and the
exported contacts with their confirmed state."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from sendsay_admin.models import SendsayAccount

from .exceptions import ContactsError
from .models import ExportedContact, ExportRun, ExportSettings, RunStatus, RunTrigger
from .services import budget_status, export_request, export_settings_for, list_name_for

PRIORITY_NOTE = _(
    "When the upload budget is short, new contacts go in this order: buyers who confirmed "
    "their e-mail and seller staff first, then buyers waiting for double opt-in; within each "
    "group the most recently active first. Contacts already in Sendsay are always updated: an "
    "update costs no upload."
)
STATUS_COLOURS = {
    RunStatus.QUEUED: "#6d6d6d", RunStatus.RUNNING: "#1565c0", RunStatus.FINISHED: "#2e7d32",
    RunStatus.FAILED: "#c62828", RunStatus.STOPPED_BUDGET: "#ad6800",
}
COUNT_FIELDS = ("processed", "total", "uploaded", "uploaded_new", "skipped_unchanged",
                "held_back", "failed", "deleted", "unlisted")


def run_progress(run: ExportRun) -> dict:
    """What the progress endpoint says about a run."""
    return {"status": run.status, "status_label": str(run.get_status_display()),
            "active": run.is_active, "percent": run.percent,
            **{name: getattr(run, name) for name in COUNT_FIELDS}}


def account_budget(account: SendsayAccount) -> dict:
    settings = export_settings_for(account)
    last = account.export_runs.exclude(status=RunStatus.QUEUED).first()
    return {"account": account, "settings": settings, "budget": budget_status(
        account=account, settings=settings), "list_name": list_name_for(account, settings),
        "last_run": last}


@admin.register(ExportRun)
class ExportRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/contacts/exportrun/change_list.html"
    change_form_template = "admin/contacts/exportrun/change_form.html"
    list_display = ("__str__", "scope", "status_badge", "progress", "uploaded", "uploaded_new",
                    "skipped_unchanged", "held_back", "failed", "deleted", "unlisted",
                    "started_at", "finished_at")
    list_filter = ("status", "trigger")
    list_select_related = ("account__storefront",)
    readonly_fields = ("progress",)
    fieldsets = (
        # The progress bar and the failure reasons are shown above the form (change_form.html).
        (None, {"fields": ("account", "status", "trigger", "error")}),
        (_("Counts"), {"fields": ("processed", "total", "uploaded", "uploaded_new",
                                  "skipped_unchanged", "held_back", "failed", "deleted",
                                  "unlisted", "confirmed_read", "imports", "member_sets")}),
        (_("Upload budget"), {"fields": ("budget_limit", "budget_source", "budget_used_before",
                                         "budget_warning")}),
        (_("Run"), {"fields": ("list_id", "created_at", "started_at", "finished_at",
                               "heartbeat_at", "cursor", "resumed_from")}),
    )

    class Media:
        js = ("contacts/export_progress.js",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("Scope"), ordering="account__storefront__name")
    def scope(self, run: ExportRun) -> str:
        return run.account.scope_label

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, run: ExportRun) -> str:
        return format_html('<strong class="export-status" data-run="{}" style="color:{}">{}'
                           "</strong>", run.pk, STATUS_COLOURS[run.status],
                           run.get_status_display())

    @admin.display(description=_("Progress"))
    def progress(self, run: ExportRun) -> str:
        return format_html(
            '<span class="export-progress" data-run="{}" data-active="{}">'
            '<progress max="100" value="{}"></progress> '
            '<span class="export-progress-text">{} / {} ({} %)</span></span>',
            run.pk, int(run.is_active), run.percent, run.processed, run.total, run.percent)

    def get_urls(self):
        own = [
            path("export/", self.admin_site.admin_view(self.export_view),
                 name="contacts_exportrun_export"),
            path("progress/", self.admin_site.admin_view(self.progress_view),
                 name="contacts_exportrun_progress"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        accounts = SendsayAccount.objects.select_related("storefront").order_by("pk")
        extra = {**(extra_context or {}), "priority_note": PRIORITY_NOTE,
                 "budgets": [account_budget(account) for account in accounts]}
        return super().changelist_view(request, extra)

    def progress_view(self, request: HttpRequest) -> HttpResponse:
        """GET ?ids=1,2 -> {"runs": {id: progress}} for the live progress bars."""
        return require_GET(self._progress)(request)

    def _progress(self, request: HttpRequest) -> JsonResponse:
        if not self.has_view_permission(request):
            return JsonResponse({"error": gettext("Permission denied.")}, status=403)
        ids = [int(part) for part in request.GET.get("ids", "").split(",")
               if part.strip().isdigit()][:200]
        runs = ExportRun.objects.filter(pk__in=ids)
        return JsonResponse({"runs": {str(run.pk): run_progress(run) for run in runs}})

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """POST account=<id>: queue an export of that account (the "Export now" button)."""
        return require_POST(self._export)(request)

    def _export(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("contacts.add_exportrun"):
            raise PermissionDenied
        account = get_object_or_404(SendsayAccount, pk=request.POST.get("account") or 0)
        try:
            run = export_request(account=account, trigger=RunTrigger.ADMIN)
        except ContactsError as exc:
            messages.error(request, f"{account.scope_label}: {exc}")
        else:
            messages.success(request, gettext(
                "%(scope)s: export #%(id)s queued; its progress shows below.")
                % {"scope": account.scope_label, "id": run.pk})
        return redirect(reverse("admin:contacts_exportrun_changelist"))


@admin.register(ExportSettings)
class ExportSettingsAdmin(admin.ModelAdmin):
    list_display = ("account", "list_name", "budget_override", "group_id", "budget_used")
    readonly_fields = ("account", "group_id", "group_name", "group_login", "budget_used")
    fields = ("account", "list_name", "budget_override", "budget_used", "group_id", "group_name",
              "group_login")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per account, created with its first export or budget view

    @admin.display(description=_("Uploads used"))
    def budget_used(self, settings: ExportSettings) -> str:
        budget = budget_status(account=settings.account, settings=settings)
        if budget.limit is None:
            return gettext("%(used)s (no limit known)") % {"used": budget.used}
        return gettext("%(used)s of %(limit)s (%(percent)s %%)") % {
            "used": budget.used, "limit": budget.limit, "percent": budget.percent}


@admin.register(ExportedContact)
class ExportedContactAdmin(admin.ModelAdmin):
    list_display = ("email", "account", "state", "in_sendsay", "confirmed", "exported_at",
                    "confirmed_checked_at", "run")
    list_filter = ("state", "in_sendsay", "confirmed", "account")
    search_fields = ("email",)
    list_select_related = ("account__storefront", "run")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
