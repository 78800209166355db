"""Admin for shipping methods and orders; order status changes go through `order_set_status`.

The order change list is built to stay fast over millions of rows: the default ordering is
`order_recent_idx`, every foreign key shown is joined in the one page query, counts are
bounded and the company and buyer filters cost nothing until used.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.models import Order, OrderLine, OrderStatus, OrderStatusChange, ShippingMethod
from marketplace.models.orders import ALLOWED_TRANSITIONS
from marketplace.services import order_set_status

from .common import (
    AutocompleteFilter,
    LargeTableAdmin,
    ReadOnlyInline,
    apply_per_object,
    error_text,
    save_changed_fields,
)


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "price", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class OrderLineInline(ReadOnlyInline):
    """The products of the order as placed (read-only: lines never change after placement)."""

    model = OrderLine
    fields = ("product", "product_name", "unit_price", "quantity", "line_total", "is_available")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    @admin.display(description=_("line total"))
    def line_total(self, line: OrderLine):
        return line.line_total


class OrderStatusChangeInline(ReadOnlyInline):
    """The order's status history, written only by `order_set_status` / `order_place`."""

    model = OrderStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class OrderStatusForm(forms.Form):
    """The status box on the order page; the choices offered follow ALLOWED_TRANSITIONS."""

    new_status = forms.ChoiceField(label=_("New status"), choices=OrderStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, order: Order | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            allowed = ALLOWED_TRANSITIONS[order.status]
            self.fields["new_status"].choices = [
                (value, label) for value, label in OrderStatus.choices if value in allowed
            ]


def _status_action(status: OrderStatus):
    """The admin action "Mark as <status>" for the selected orders."""

    def action(model_admin: "OrderAdmin", request: HttpRequest, queryset) -> None:
        model_admin.set_status(request, queryset, status)

    action.__name__ = f"mark_{status.value}"
    return admin.action(
        description=format_lazy(_("Mark as “{status}”"), status=status.label),
        permissions=["change"],
    )(action)


@admin.register(Order)
class OrderAdmin(LargeTableAdmin):
    list_display = (
        "number",
        "created_at",
        "status",
        "storefront",
        "company",
        "buyer_email",
        "shipping_method",
        "total",
    )
    list_display_links = ("number",)
    list_select_related = ("storefront", "company", "buyer", "shipping_method")
    list_filter = (
        "status",
        ("created_at", admin.DateFieldListFilter),
        "storefront",
        ("company", AutocompleteFilter),
        ("buyer", AutocompleteFilter),
    )
    search_fields = ("buyer__email", "company__name")
    search_help_text = _("An order number, or part of the buyer's e-mail or the company's name.")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")  # exactly order_recent_idx
    sortable_by = ("number", "created_at")
    actions = [_status_action(status) for status in OrderStatus]
    inlines = (OrderLineInline, OrderStatusChangeInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "storefront",
                    "company",
                    "buyer",
                    "created_at",
                    "updated_at",
                )
            },
        ),
        (_("Delivery"), {"fields": ("shipping_method", "delivery_address")}),
        (
            _("Amounts"),
            {"fields": ("subtotal", "coupon_code", "discount", "shipping_cost", "total")},
        ),
    )
    readonly_fields = (
        "number",
        "status",
        "storefront",
        "company",
        "buyer",
        "created_at",
        "updated_at",
        "shipping_method",
        "subtotal",
        "coupon_code",
        "discount",
        "shipping_cost",
        "total",
    )

    @admin.display(description=_("number"), ordering="id")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description=_("buyer"))
    def buyer_email(self, order: Order) -> str:
        return order.buyer.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_search_results(self, request, queryset, search_term):
        number = search_term.strip().lstrip("#")
        if number.isdigit():  # an order number: one primary-key lookup, no LIKE scan
            return queryset.filter(pk=int(number)), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj: Order, form, change: bool) -> None:
        save_changed_fields(obj, form)  # the delivery address; never a stale status

    def has_add_permission(self, request) -> bool:
        return False  # orders are placed by buyers through `order_place`

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an order is cancelled, never deleted

    def set_status(self, request: HttpRequest, orders, status: str, note: str = "") -> None:
        """Move each order to `status` through the service, reporting each outcome."""
        label = OrderStatus(status).label
        apply_per_object(
            self,
            request,
            orders,
            lambda order: order_set_status(order=order, status=status, by=request.user, note=note),
            done=gettext("Marked as “%(status)s”:") % {"status": label} + " %(objects)s",
            log_message=gettext("Status set to “%(status)s”.") % {"status": label},
        )

    # --- the status box on the change page ------------------------------------------------

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_status"
        status_view = self.admin_site.admin_view(require_POST(self.status_view))
        return [
            path("<path:object_id>/status/", status_view, name=name),
            *super().get_urls(),
        ]

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        order = self.get_object(request, unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        form = OrderStatusForm(request.POST)
        if form.is_valid():
            self.set_status(
                request, [order], form.cleaned_data["new_status"], note=form.cleaned_data["note"]
            )
        else:
            self.message_user(request, error_text(ValidationError(form.errors)), messages.ERROR)
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:marketplace_order_change", args=[order.pk])
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["status_form"] = OrderStatusForm(order=obj)
            context["status_url"] = reverse(
                f"{self.admin_site.name}:marketplace_order_status", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
