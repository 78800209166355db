"""The warehouse's steps on an order: the stock-check answer per line, then the assembly."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import Order, OrderLine, OrderStatus, OrderStatusChange, User

from ._stock import stock_return
from .orders import order_recalculate, order_set_status

#: The history note that records a confirmed assembly (a row from CONFIRMED to CONFIRMED).
ASSEMBLY_NOTE = "assembly confirmed"


def order_stock_check_answer(
    *, order: Order, answers: Mapping[int, bool], by: User | None = None
) -> Order:
    """Record the warehouse's answer for every line of a PLACED order and confirm it.

    `answers` maps each of the order's line ids to True (available) or False. In one
    transaction: locks the order, stores `is_available` per line, gives the quantities of the
    unavailable lines back to stock, recomputes the totals without them (`order_recalculate`)
    and moves the order to CONFIRMED (`order_set_status`, history note "stock check: N of M
    lines available"). Returns the updated order; the passed instance gets the new status and
    totals too. Raises MarketplaceError when the order was already answered
    (code "stock_check_answered"), for line ids that are not this order's
    ("stock_check_foreign_line") or lines left unanswered ("stock_check_incomplete"), and
    TransitionNotAllowedError when the order is no longer PLACED.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        lines = {line.pk: line for line in locked.lines.order_by("pk")}
        _answers_check(locked, lines, answers)
        for line_id, line in lines.items():
            line.is_available = bool(answers[line_id])
        OrderLine.objects.bulk_update(lines.values(), ["is_available"])
        missing = {ln.product_id: ln.quantity for ln in lines.values() if not ln.is_available}
        if missing:
            stock_return(missing)
        order_recalculate(order=locked)
        note = f"stock check: {len(lines) - len(missing)} of {len(lines)} lines available"
        order_set_status(order=locked, status=OrderStatus.CONFIRMED, by=by, note=note)
    order.status, order.subtotal, order.total = locked.status, locked.subtotal, locked.total
    return locked


def order_assembly_confirm(*, order: Order, by: User | None = None) -> OrderStatusChange:
    """Record that a CONFIRMED order has been assembled and return the history row.

    Stored as an OrderStatusChange from CONFIRMED to CONFIRMED with the note ASSEMBLY_NOTE
    (the status does not change). Raises MarketplaceError when the order is not CONFIRMED
    (code "assembly_not_confirmed") or its assembly was already confirmed
    ("assembly_confirmed_already").
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != OrderStatus.CONFIRMED:
            raise MarketplaceError(
                _("Only a confirmed order can be assembled; order %(number)s is “%(status)s”."),
                code="assembly_not_confirmed",
                params={"number": locked.number, "status": OrderStatus(locked.status).label},
            )
        if locked.history.filter(note=ASSEMBLY_NOTE).exists():
            raise MarketplaceError(
                _("The assembly of order %(number)s has already been confirmed."),
                code="assembly_confirmed_already",
                params={"number": locked.number},
            )
        return OrderStatusChange.objects.create(
            order=locked,
            from_status=locked.status,
            to_status=locked.status,
            changed_by=by,
            note=ASSEMBLY_NOTE,
        )


def _answers_check(order: Order, lines: Mapping[int, OrderLine], answers: Mapping[int, bool]):
    if any(line.is_available is not None for line in lines.values()):
        raise MarketplaceError(
            _("The stock check of order %(number)s has already been answered."),
            code="stock_check_answered",
            params={"number": order.number},
        )
    foreign = sorted(set(answers) - set(lines))
    if foreign:
        raise MarketplaceError(
            _("Lines %(lines)s do not belong to order %(number)s."),
            code="stock_check_foreign_line",
            params={"lines": ", ".join(map(str, foreign)), "number": order.number},
        )
    if not lines or set(lines) - set(answers):
        raise MarketplaceError(
            _("Answer every line of order %(number)s: available or not."),
            code="stock_check_incomplete",
            params={"number": order.number},
        )
