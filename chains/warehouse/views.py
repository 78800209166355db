"""Signed-link pages of the warehouse flow: the stock-check answer and the labels download.

Thin: check the token, load the order, call the same service the vendor dashboard calls. A
forged, expired or reused link gets a clear page and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.dashboard.forms import StockCheckForm
from marketplace.dashboard.labels import order_labels_pdf
from marketplace.dashboard.selectors import order_stock_check_open
from marketplace.exceptions import MarketplaceError
from marketplace.models import Order, OrderStatus
from marketplace.services.stock_check import order_stock_check_answer
from notifications.links import LinkError, LinkExpiredError, invalid_link

from .links import LABELS_SALT, STOCK_CHECK_SALT, token_load

PAGES = "chains/warehouse/"


def _order(token: str, *, salt: str) -> Order:
    """The order a valid token names (and whose company it names); LinkError otherwise."""
    link = token_load(token, salt=salt)
    order = (
        Order.objects.select_related("storefront", "company", "shipping_method",
                                     "buyer__buyer_profile")
        .prefetch_related("lines").filter(pk=link.order_id, company_id=link.company_id).first()
    )
    if order is None:
        raise invalid_link()
    return order


def _invalid(request: HttpRequest, exc: LinkError) -> HttpResponse:
    status = 410 if isinstance(exc, LinkExpiredError) else 400
    return render(request, "notifications/pages/link_invalid.html",
                  {"expired": status == 410, "message": str(exc)}, status=status)


def _closed(request: HttpRequest, order: Order, message: str) -> HttpResponse:
    """The order no longer waits for this link: say why, change nothing (409 Conflict)."""
    lines = list(order.lines.order_by("pk"))
    return render(request, PAGES + "closed.html",
                  {"order": order, "lines": lines, "message": message}, status=409)


def _closed_message(order: Order) -> str:
    if order.status == OrderStatus.CANCELLED:
        return _("Order %(number)s has been cancelled.") % {"number": order.number}
    return _("The stock check of order %(number)s has already been answered; this link "
             "cannot be used again.") % {"number": order.number}


@require_http_methods(["GET", "POST"])
def stock_check(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one available / not available choice per line; POST: `order_stock_check_answer`
    (unavailable lines dropped, the total recomputed, the order confirmed, the buyer told)."""
    try:
        order = _order(token, salt=STOCK_CHECK_SALT)
    except LinkError as exc:
        return _invalid(request, exc)
    with translation.override(order.storefront.language):
        if not order_stock_check_open(order):
            return _closed(request, order, _closed_message(order))
        lines = list(order.lines.order_by("pk"))
        form = StockCheckForm(request.POST or None, lines=lines)
        if request.method == "POST" and form.is_valid():
            try:
                order_stock_check_answer(order=order, answers=form.answers())
            except MarketplaceError:  # answered or cancelled meanwhile
                order.refresh_from_db()
                return _closed(request, order, _closed_message(order))
            kept = [line for line in order.lines.order_by("pk") if line.is_available]
            return render(request, PAGES + "stock_check_done.html",
                          {"order": order, "kept": kept,
                           "dropped": len(lines) - len(kept)})
        status = 400 if request.method == "POST" else 200
        return render(request, PAGES + "stock_check.html",
                      {"order": order, "lines": lines, "form": form}, status=status)


@require_GET
def labels(request: HttpRequest, token: str) -> HttpResponse:
    """The order's address-label PDF (the dashboard's builder). The link may be used again
    until it expires (labels get reprinted); a cancelled order gets a page instead."""
    try:
        order = _order(token, salt=LABELS_SALT)
    except LinkError as exc:
        return _invalid(request, exc)
    with translation.override(order.storefront.language):
        if order.status == OrderStatus.CANCELLED:
            return _closed(request, order, _closed_message(order))
        pdf = order_labels_pdf(order)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="label-{order.number}.pdf"'
    return response
