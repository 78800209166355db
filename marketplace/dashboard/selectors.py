"""Read queries of the vendor dashboard; every one starts from the seller's company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from marketplace.models import Company, Order, OrderStatus, OrderStatusChange
from marketplace.services.stock_check import ASSEMBLY_NOTE

#: Sales milestones shown when no app supplies the editable ones (chains connects its
#: thresholds on start-up; marketplace does not import it).
DEFAULT_MILESTONES = (1, 100, 500, 1000)
_milestones_source: Callable[[], Iterable[int]] | None = None


def milestones_source_connect(source: Callable[[], Iterable[int]] | None) -> None:
    """Plug in where the active sales milestones come from (chains does in `ready()`)."""
    global _milestones_source
    _milestones_source = source


def milestones() -> tuple[int, ...]:
    """The sales milestones a seller is told about, ascending: the connected source's (the
    thresholds an administrator edits, the same the congratulations use), else the defaults."""
    if _milestones_source is None:
        return DEFAULT_MILESTONES
    return tuple(sorted(_milestones_source()))


def company_orders(company: Company) -> QuerySet[Order]:
    """The company's orders, newest first, with what the list shows."""
    return (
        Order.objects.filter(company=company)
        .select_related("buyer", "shipping_method", "storefront")
        .annotate(lines_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def company_orders_filtered(
    company: Company,
    *,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Order]:
    """`company_orders` narrowed by status and placement date (inclusive, local time zone)."""
    queryset = company_orders(company)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(created_at__gte=_day_start(date_from))
    if date_to:
        queryset = queryset.filter(created_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return queryset


def company_order_get(company: Company, pk: int, *, for_page: bool = False) -> Order:
    """The company's order `pk` or Http404: another company's order is never fetched."""
    queryset = Order.objects.filter(company=company).select_related(
        "buyer__buyer_profile", "shipping_method", "storefront", "company"
    )
    if for_page:
        queryset = queryset.prefetch_related("lines", "history__changed_by")
    return get_object_or_404(queryset, pk=pk)


def order_assembly(order: Order) -> OrderStatusChange | None:
    """The history row recording the order's confirmed assembly, if there is one."""
    return order.history.filter(note=ASSEMBLY_NOTE).select_related("changed_by").first()


def order_stock_check_open(order: Order) -> bool:
    """Whether the order waits for the stock-check answer (PLACED, no line answered yet)."""
    lines = list(order.lines.all())
    return (
        order.status == OrderStatus.PLACED
        and bool(lines)
        and all(line.is_available is None for line in lines)
    )


@dataclass(frozen=True)
class Overview:
    by_status: list[tuple[str, str, int]]  # (status, label, count), lifecycle order
    orders_total: int
    sales_count: int
    revenue: Decimal


def company_overview(company: Company) -> Overview:
    """Orders by status, sales (delivered orders) and revenue (their totals)."""
    rows = dict(
        Order.objects.filter(company=company)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    delivered = Order.objects.filter(company=company, status=OrderStatus.DELIVERED)
    revenue = delivered.aggregate(total=Sum("total"))["total"] or Decimal("0.00")
    return Overview(
        by_status=[(s.value, s.label, rows.get(s.value, 0)) for s in OrderStatus],
        orders_total=sum(rows.values()),
        sales_count=rows.get(OrderStatus.DELIVERED, 0),
        revenue=revenue,
    )


def company_daily_series(company: Company, *, days: int = 30) -> dict[str, list]:
    """Per local day over the last `days` days: orders placed, and sales (orders delivered).

    Returns {"labels": ["2026-11-01", ...], "orders": [n, ...], "sales": [n, ...]}.
    """
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    orders = dict(
        Order.objects.filter(company=company, created_at__gte=_day_start(first))
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    sales = dict(
        OrderStatusChange.objects.filter(
            order__company=company,
            to_status=OrderStatus.DELIVERED,
            changed_at__gte=_day_start(first),
        )
        .annotate(day=TruncDate("changed_at"))
        .values_list("day")
        .annotate(n=Count("order_id", distinct=True))
        .values_list("day", "n")
    )
    span = [first + dt.timedelta(days=i) for i in range(days)]
    return {
        "labels": [day.isoformat() for day in span],
        "orders": [orders.get(day, 0) for day in span],
        "sales": [sales.get(day, 0) for day in span],
    }


@dataclass(frozen=True)
class Progress:
    has_products: bool
    active_products: int
    sales_count: int
    first_sale: bool
    next_milestone: int | None
    percent: int  # towards the next milestone, from the previous one


def company_progress(company: Company) -> Progress:
    """Onboarding (products? first sale?) and the next sales milestone."""
    products = company.products.aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    sales = Order.objects.filter(company=company, status=OrderStatus.DELIVERED).count()
    steps = milestones()
    upcoming = [m for m in steps if m > sales]
    target = upcoming[0] if upcoming else None
    previous = max([0, *(m for m in steps if m <= sales)])
    percent = 100 if target is None else int(100 * (sales - previous) / (target - previous))
    return Progress(
        has_products=products["n"] > 0,
        active_products=products["active"],
        sales_count=sales,
        first_sale=sales > 0,
        next_milestone=target,
        percent=percent,
    )


def company_messages(company: Company, *, status: str = "") -> QuerySet:
    """The outbox messages addressed to the company (seller and warehouse roles), newest first.

    Imported here, not at module level: the outbox belongs to the notifications app.
    """
    from notifications.models import OutboxMessage

    queryset = OutboxMessage.objects.filter(company=company).select_related("event")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
