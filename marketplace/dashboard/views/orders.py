"""Orders: the filtered list, the order page, status actions, stock check, assembly, labels."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from marketplace.dashboard import selectors
from marketplace.dashboard.forms import (
    SELLER_STATUSES,
    OrderFilterForm,
    OrderStatusForm,
    StockCheckForm,
)
from marketplace.dashboard.labels import order_labels_pdf
from marketplace.dashboard.mixins import SellerRequiredMixin, error_text
from marketplace.models import OrderStatus
from marketplace.models.orders import ALLOWED_TRANSITIONS
from marketplace.services.orders import order_set_status
from marketplace.services.stock_check import order_assembly_confirm, order_stock_check_answer

#: Button captions of the status actions.
ACTION_LABELS = {
    OrderStatus.CONFIRMED: gettext_lazy("Confirm order"),
    OrderStatus.HANDED_TO_CARRIER: gettext_lazy("Hand to carrier"),
    OrderStatus.CANCELLED: gettext_lazy("Cancel order"),
}


class OrderListView(SellerRequiredMixin, ListView):
    template_name = "dashboard/orders/list.html"
    context_object_name = "orders"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = OrderFilterForm(self.request.GET or None)
        return selectors.company_orders_filtered(self.company, **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


class OrderDetailView(SellerRequiredMixin, TemplateView):
    template_name = "dashboard/orders/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = selectors.company_order_get(self.company, kwargs["pk"], for_page=True)
        allowed = ALLOWED_TRANSITIONS[order.status]
        context.update(
            order=order,
            lines=list(order.lines.all()),
            history=list(order.history.all()),
            actions=[(s.value, ACTION_LABELS[s]) for s in SELLER_STATUSES if s in allowed],
            stock_check_form=(
                StockCheckForm(lines=order.lines.all())
                if selectors.order_stock_check_open(order)
                else None
            ),
            assembly=selectors.order_assembly(order),
        )
        return context


class OrderActionView(SellerRequiredMixin, View):
    """Base of the POST actions on one of the company's orders: a flash message, then back
    to the order page. Service refusals (ValidationError) become error messages."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        order = selectors.company_order_get(self.company, pk)
        try:
            text = self.act(order)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if text:
                messages.success(request, text)
        return redirect("dashboard:order_detail", pk=order.pk)

    def act(self, order) -> str:
        raise NotImplementedError


class OrderStatusView(OrderActionView):
    def act(self, order) -> str:
        form = OrderStatusForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(list(form.errors["status"]))
        order_set_status(order=order, status=form.cleaned_data["status"], by=self.request.user)
        return _("Order %(number)s: %(status)s.") % {
            "number": order.number, "status": OrderStatus(order.status).label
        }


class OrderStockCheckView(OrderActionView):
    def act(self, order) -> str:
        form = StockCheckForm(self.request.POST, lines=order.lines.order_by("pk"))
        if not form.is_valid():
            raise ValidationError(_("Answer every line: available or not available."))
        order_stock_check_answer(order=order, answers=form.answers(), by=self.request.user)
        return _("Stock check answered; order %(number)s is confirmed.") % {
            "number": order.number
        }


class OrderAssemblyView(OrderActionView):
    def act(self, order) -> str:
        order_assembly_confirm(order=order, by=self.request.user)
        return _("Assembly of order %(number)s confirmed.") % {"number": order.number}


class OrderLabelsView(SellerRequiredMixin, View):
    """GET: the order's address label as a PDF download."""

    def get(self, request, pk: int):
        order = selectors.company_order_get(self.company, pk, for_page=True)
        pdf = order_labels_pdf(order)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="label-{order.number}.pdf"'
        return response
