"""Demo stage for orders: their lines and status history along the allowed transitions."""

from datetime import datetime, timedelta
from decimal import Decimal
from operator import itemgetter

from marketplace.models import CompanyStatus, Order, OrderLine, OrderStatusChange

from .base import _Builder, _Buyer, _Seller
from .vocabulary import (
    _ALL_ORDER_STATUSES,
    _AT_PICKUP_POINT,
    _BASE,
    _CANCEL_NOTES,
    _CANCELLED,
    _CONFIRMED,
    _DELIVERED,
    _FORWARD,
    _HANDED_TO_CARRIER,
    _LINES_PER_ORDER,
    _OLD_ORDER_STATUSES,
    _ORDERED_QUANTITY,
    _PLACED,
    _RECENT_ORDER_STATUSES,
    _SHIPPING_SHARES,
    CITIES,
    STREETS,
)
from .writer import BATCH_SIZE, _Table


class _Orders(_Builder):
    """Orders of confirmed buyers, placed in time order, each with lines and history."""

    def _orders(self) -> None:
        """Orders of confirmed buyers from active companies of their storefront, in time
        order; the latest ones take each status in turn, so every status is present."""
        buyers = [b for b in self.buyers if b.confirmed_at is not None]
        shops: dict[int, list[_Seller]] = {}
        for s in self.sellers:
            if s.status == CompanyStatus.ACTIVE and s.products:
                shops.setdefault(s.storefront, []).append(s)
        total = self._n(5000, minimum=len(_ALL_ORDER_STATUSES))
        placements = []
        for _ in range(total):
            buyer = buyers[int(len(buyers) * self.rng.random() ** 2)]  # a few buy a lot
            start = max(buyer.confirmed_at, _BASE - timedelta(days=365))
            placements.append((self._moment(start, _BASE - timedelta(hours=1)), buyer))
        placements.sort(key=itemgetter(0))  # stable: ties keep the order they were drawn in
        tables = self._order_tables()
        first_forced = total - len(_ALL_ORDER_STATUSES)
        for i, (placed, buyer) in enumerate(placements):
            forced = _ALL_ORDER_STATUSES[i - first_forced] if i >= first_forced else None
            self._order(tables, placed, buyer, self.rng.choice(shops[buyer.storefront]), forced)
            if (i + 1) % BATCH_SIZE == 0 or i + 1 == total:
                for table in tables:  # parents first
                    table.flush()
                self._say(f"orders: {i + 1} / {total}")
        counts = [table.close() for table in tables]
        self.summary.orders, self.summary.order_lines, self.summary.status_changes = counts

    @staticmethod
    def _order_tables() -> tuple[_Table, _Table, _Table]:
        orders = _Table(
            Order, "storefront", "company", "buyer", "status", "shipping_method",
            "delivery_address", "subtotal", "shipping_cost", "total", "created_at",
            "updated_at", with_pk=True,
        )  # fmt: skip
        lines = _Table(
            OrderLine, "order", "product", "product_name", "unit_price", "quantity",
            "is_available",
        )  # fmt: skip
        history = _Table(
            OrderStatusChange, "order", "from_status", "to_status", "changed_by", "note",
            "changed_at",
        )  # fmt: skip
        return orders, lines, history

    def _order(
        self, tables: tuple[_Table, _Table, _Table], placed: datetime, buyer: _Buyer,
        seller: _Seller, forced: str | None,
    ) -> None:  # fmt: skip
        orders, lines, history = tables
        status = forced or self._status_for_age(_BASE - placed)
        code = "pickup" if status == _AT_PICKUP_POINT else self._weighted(_SHIPPING_SHARES)
        path = self._path(status, pickup=code == "pickup")
        times = self._timeline(placed, len(path))
        count = min(len(seller.products), self._weighted(_LINES_PER_ORDER))
        items = [(p, self._weighted(_ORDERED_QUANTITY)) for p in
                 self.rng.sample(seller.products, count)]  # fmt: skip
        subtotal = sum((p.price * quantity for p, quantity in items), Decimal(0))
        method, shipping_cost = self.shipping[code]
        pk = orders.add(
            buyer.storefront, seller.pk, buyer.user, status, method,
            self._delivery_address(buyer, code), subtotal, shipping_cost,
            subtotal + shipping_cost, times[0], times[-1],
        )  # fmt: skip
        for product, quantity in items:
            available = self._availability(status)
            lines.add(pk, product.pk, product.name, product.price, quantity, available)
        for before, after, at in zip(("", *path[:-1]), path, times, strict=True):
            history.add(pk, before, after, *self._actor(after, before, buyer, seller), at)

    def _status_for_age(self, age: timedelta) -> str:
        if age > timedelta(days=21):  # old orders have finished one way or the other
            return self._weighted(_OLD_ORDER_STATUSES)
        return self._weighted(_RECENT_ORDER_STATUSES)

    def _path(self, status: str, *, pickup: bool) -> list[str]:
        """The statuses from `placed` to `status`, along ALLOWED_TRANSITIONS."""
        full = [*_FORWARD, *([_AT_PICKUP_POINT] if pickup else [])]
        full.append(_DELIVERED)
        if status == _CANCELLED:  # mostly early, never after delivery
            stop = 1 + int(self.rng.random() ** 2 * (len(full) - 1))
            return [*full[:stop], _CANCELLED]
        return full[: full.index(status) + 1]

    def _timeline(self, placed: datetime, steps: int) -> list[datetime]:
        """`steps` strictly increasing moments from `placed`, all before BASE_TIME."""
        gaps = [self._int(10, 2880) for _ in range(steps - 1)]  # minutes
        room = (_BASE - placed).total_seconds() / 60 - 10
        if sum(gaps) > room:
            gaps = [max(1, int(gap * room / sum(gaps))) for gap in gaps]
        times = [placed]
        for gap in gaps:
            times.append(times[-1] + timedelta(minutes=gap))
        return times

    def _delivery_address(self, buyer: _Buyer, code: str) -> str:
        city = buyer.address.split(",")[0] or self.rng.choice(CITIES)
        if code == "pickup":
            return f"Пункт выдачи: {city}, {self.rng.choice(STREETS)}, д. {self._int(1, 99)}"
        return buyer.address or self._address(city)

    def _availability(self, status: str) -> bool | None:
        if status == _PLACED:
            return None  # the warehouse has not answered the stock check yet
        return status != _CANCELLED or self.rng.random() < 0.7

    def _actor(self, status: str, before: str, buyer: _Buyer, seller: _Seller) -> tuple:
        """(changed_by, note) of a step: the buyer places, the seller confirms and ships,
        the carrier's system (nobody) reports the rest; either side may cancel."""
        if status == _CANCELLED:
            by_buyer = before == _PLACED and self.rng.random() < 0.6
            return buyer.user if by_buyer else seller.owner, self.rng.choice(_CANCEL_NOTES)
        if status == _PLACED:
            return buyer.user, ""
        if status in (_CONFIRMED, _HANDED_TO_CARRIER):
            return seller.owner, ""
        return None, ""
