"""What the marketplace admin modules share: change lists that stay fast on big tables, a
list filter that picks a related row with the autocomplete widget, read-only inlines and the
loop that runs one service call per selected object for admin actions."""

from collections import defaultdict
from collections.abc import Callable, Sequence

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .dates import date_hierarchy_nav

#: An action never runs its service for more objects than this in one request.
ACTION_BATCH_LIMIT = 500


class CappedCountPaginator(Paginator):
    """Counts at most `count_cap` rows, so COUNT(*) over a big filtered set stays bounded.

    The count is `SELECT COUNT(*) FROM (... LIMIT cap + 1)`: exact below the cap, "more than
    cap" above it (`is_capped`), which the marketplace pagination templates show as such.
    Pages past the cap are reached by narrowing the filters or the date hierarchy.
    """

    count_cap = 10_000

    @cached_property
    def _bounded_count(self) -> int:
        return self.object_list.order_by()[: self.count_cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.count_cap)

    @property
    def is_capped(self) -> bool:
        return self._bounded_count > self.count_cap


class AutocompleteFilter(admin.FieldListFilter):
    """Filter by a foreign key chosen in the admin's autocomplete (select2) box.

    RelatedFieldListFilter lists every row of the related table and RelatedOnlyFieldListFilter
    runs SELECT DISTINCT over the filtered table; this filter costs nothing until a value is
    chosen and then one primary-key query for the chosen row. The related model's admin needs
    `search_fields`. Use as `("company", AutocompleteFilter)` in `list_filter`.
    """

    template = "admin/marketplace/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        if params.get(self.lookup_kwarg) in ([""], ""):
            params.pop(self.lookup_kwarg)  # the cleared select2 box submits an empty value
        super().__init__(field, request, params, model, model_admin, field_path)
        self.admin_site = model_admin.admin_site
        self.hidden_params: list[tuple[str, str]] = []

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg]

    def get_facet_counts(self, pk_attname, filtered_qs) -> dict:
        return {}

    @property
    def value(self) -> str | None:
        values = self.used_parameters.get(self.lookup_kwarg)
        return values[-1] if values else None

    def choices(self, changelist):
        self.hidden_params = [
            (name, value) for name, value in changelist.params.items() if name != self.lookup_kwarg
        ]
        yield {
            "selected": self.value is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }

    def widget_html(self) -> str:
        remote_model = self.field.remote_field.model
        widget = AutocompleteSelect(self.field, self.admin_site, attrs={"style": "width: 100%"})
        box = forms.ModelChoiceField(
            queryset=remote_model._default_manager.all(), required=False, widget=widget
        )
        return box.widget.render(
            self.lookup_kwarg, self.value, attrs={"id": f"filter_{self.lookup_kwarg}"}
        )


def autocomplete_media(model_admin: admin.ModelAdmin) -> forms.Media:
    """The select2 scripts and styles the AutocompleteFilters of `model_admin` need."""
    for spec in model_admin.list_filter:
        if isinstance(spec, tuple) and issubclass(spec[1], AutocompleteFilter):
            field = model_admin.model._meta.get_field(spec[0])
            return AutocompleteSelect(field, model_admin.admin_site).media
    return forms.Media()


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for tables that grow without bound (orders, buyers, views).

    No unfiltered COUNT(*) (show_full_result_count), a bounded filtered count
    (CappedCountPaginator), no facet counts (one COUNT per filter option) and a date
    hierarchy drawn from MIN/MAX instead of SELECT DISTINCT over the table (dates.py).
    """

    paginator = CappedCountPaginator
    change_list_template = "admin/marketplace/large_change_list.html"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    @property
    def media(self) -> forms.Media:
        return super().media + autocomplete_media(self)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if changelist is None:
            return response  # a redirect or an action's response
        context["date_hierarchy_nav"] = date_hierarchy_nav(changelist)
        if getattr(changelist.paginator, "is_capped", False):
            context["selection_note_all"] = gettext("All %(count)s+ selected") % {
                "count": changelist.result_count
            }
        return response


class ReadOnlyMixin:
    """For an admin over rows only the services write: listed and shown, never added, changed
    or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """An inline that shows rows and never adds, changes or deletes them."""

    extra = 0
    can_delete = False


class ViewOnlyMixin:
    """For a ModelAdmin over activity data: browse and delete, never add or edit."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one line for `messages` (all its messages, no field names)."""
    return " ".join(str(message) for message in exc.messages)


def take_batch(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Sequence[models.Model] | models.QuerySet,
) -> list[models.Model]:
    """The selected objects as a list, or none (with an error message) past ACTION_BATCH_LIMIT.

    Every object costs a service call with its own transaction, so "select all 100,000" is
    refused rather than left to time out half-way.
    """
    batch = list(objects[: ACTION_BATCH_LIMIT + 1])
    if len(batch) <= ACTION_BATCH_LIMIT:
        return batch
    model_admin.message_user(
        request,
        gettext("Select at most %(limit)s objects for this action.")
        % {"limit": ACTION_BATCH_LIMIT},
        messages.ERROR,
    )
    return []


def apply_per_object(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Sequence[models.Model] | models.QuerySet,
    change: Callable[[models.Model], object],
    *,
    done: str,
    log_message: str,
) -> None:
    """Call `change(obj)` (one service call) for each object and report the outcome.

    Each call commits on its own, so one refusal does not undo the others. The objects that
    changed are listed in one success message (`done` with %(count)s and %(objects)s) and
    logged in their admin history; refusals (a ValidationError, which every marketplace
    error is) are grouped by reason, one error message each, with no stack trace.
    """
    objects = take_batch(model_admin, request, objects)
    changed, refused = [], defaultdict(list)
    for obj in objects:
        try:
            change(obj)
        except ValidationError as exc:
            refused[error_text(exc)].append(str(obj))
        else:
            changed.append(str(obj))
            model_admin.log_change(request, obj, log_message)
    if changed:
        model_admin.message_user(
            request,
            done % {"count": len(changed), "objects": ", ".join(changed)},
            messages.SUCCESS,
        )
    for reason, names in refused.items():
        model_admin.message_user(
            request,
            gettext("Not changed, %(objects)s: %(reason)s")
            % {"objects": ", ".join(names), "reason": reason},
            messages.ERROR,
        )


def save_changed_fields(obj: models.Model, form) -> None:
    """Save only what the admin form changed (plus `updated_at` when the model has one).

    A plain `save()` writes every column back, so a status a service set a moment ago
    (read-only here) would be overwritten with the value this request read.
    """
    columns = {field.name for field in obj._meta.concrete_fields}
    names = [name for name in form.changed_data if name in columns]
    if names:
        obj.save(update_fields=[*names, *({"updated_at"} & columns)])


def adopt(target: models.Model, created: models.Model) -> None:
    """Copy a row a service created onto the admin form's unsaved instance.

    The admin keeps working with its own instance after `save_model` (log entry, redirect,
    related formsets), so it must carry the new primary key and stored values.
    """
    for field in created._meta.concrete_fields:
        setattr(target, field.attname, getattr(created, field.attname))
    target._state.adding = False
    target._state.db = created._state.db
