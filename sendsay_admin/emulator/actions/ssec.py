"""E-commerce ("ssec") events: the JSON array posted to /general/ssec/v100/json/<login>, also
accepted as `member.set` datakey `["ssec", "set", [...]]`.

[R] the event_type table, `email`+`addr_type` on personal events only, `transaction_id` on
orders and baskets, `update: 1` errors for an unknown order. [I] the reply (`{"result": "ok",
"accepted": N}`), the error id `error/ssec/invalid`, and rejecting the whole batch on one bad event.
"""

from __future__ import annotations

import copy
import datetime as dt

from ..errors import ApiError
from ..records import now_dt
from ..state import Account
from .common import ADDR_TYPES, normalize_address

EVENT_TYPES = {
    0: "VIEW_PRODUCT",
    1: "ORDER",
    2: "VIEW_CATEGORY",
    3: "BASKET_ADD",
    4: "BASKET_CLEAR",
    5: "SEARCH_PRODUCT",
    6: "SUBSCRIBE_PRODUCT_PRICE",
    7: "SUBSCRIBE_PRODUCT_ISA",
    8: "FAVORITE",
    12: "PREORDER",
    13: "PRODUCT_ISA",
    15: "PRODUCT_PRICE_CHANGED",
    28: "REGISTRATION",
    29: "AUTHORIZATION",
}
IMPERSONAL = frozenset({13, 15})
WITH_TRANSACTION = frozenset({1, 3, 4})
ORDER = 1


def _bad(index: int, why: str) -> ApiError:
    return ApiError("error/ssec/invalid", f"event {index}: {why}")


def validate(
    events: object, *, member: tuple[str, str] | None = None, account: Account | None = None
) -> list[dict]:
    """Check a batch; return normalized copies. `member` fills email/addr_type from member.set."""
    if not isinstance(events, list) or not events:
        raise ApiError("error/ssec/invalid", "the body must be a non-empty JSON array of events")
    known_orders = _orders(account) if account is not None else set()
    checked = []
    for index, raw in enumerate(events):
        if not isinstance(raw, dict):
            raise _bad(index, "must be an object")
        event = copy.deepcopy(raw)
        if member is not None and event.get("event_type") not in IMPERSONAL:
            event.setdefault("addr_type", member[0])
            event.setdefault("email", member[1])
        _check_event(index, event, known_orders)
        if event["event_type"] == ORDER:
            known_orders.add(str(event["transaction_id"]))
        checked.append(event)
    return checked


def _check_event(index: int, event: dict, known_orders: set[str]) -> None:
    kind = event.get("event_type")
    if isinstance(kind, bool) or not isinstance(kind, int) or kind not in EVENT_TYPES:
        raise _bad(index, f"event_type {kind!r} is not one of {sorted(EVENT_TYPES)}")
    if kind in IMPERSONAL:
        if "email" in event or "addr_type" in event:
            raise _bad(index, f"impersonal event_type {kind} takes no email/addr_type")
    else:
        for name in ("email", "addr_type"):
            if not event.get(name):
                raise _bad(index, f"{name} is required for event_type {kind}")
        if event["addr_type"] not in ADDR_TYPES:
            raise _bad(index, f"unknown addr_type {event['addr_type']!r}")
        try:
            event["email"] = normalize_address(event["email"], event["addr_type"])
        except ApiError as exc:
            raise _bad(index, f"bad address: {exc.explain}") from exc
    if kind in WITH_TRANSACTION:
        _check_transaction(index, event, known_orders)


def _check_transaction(index: int, event: dict, known_orders: set[str]) -> None:
    if event.get("transaction_id") in (None, ""):
        raise _bad(index, f"transaction_id is required for event_type {event['event_type']}")
    stamp = event.get("transaction_dt")
    if stamp is not None:
        try:
            dt.datetime.strptime(str(stamp), "%Y-%m-%d %H:%M:%S")
        except ValueError as exc:
            raise _bad(index, "transaction_dt must be YYYY-MM-DD hh:mm:ss") from exc
    status = event.get("transaction_status")
    if status is not None and (isinstance(status, bool) or status not in range(1, 13)):
        raise _bad(index, "transaction_status must be an integer 1..12")
    items = event.get("items")
    if items is not None and (
        not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items)
    ):
        raise _bad(index, "items must be a list of objects with an id")
    if (
        event["event_type"] == ORDER
        and event.get("update") in (1, "1")
        and str(event["transaction_id"]) not in known_orders
    ):
        raise _bad(index, f"update of unknown order {event['transaction_id']!r}")


def _orders(account: Account) -> set[str]:
    return {
        str(e["event"]["transaction_id"])
        for e in account.ssec_events
        if e["event"].get("event_type") == ORDER
    }


def store(account: Account, events: list[dict], *, source: str) -> None:
    for event in events:
        account.ssec_events.append(
            {
                "received": now_dt(),
                "source": source,
                "name": EVENT_TYPES[event["event_type"]],
                "event": event,
            }
        )


def accept(account: Account, body: object) -> dict:
    """The ssec endpoint: validate the whole array, then store it."""
    events = validate(body, account=account)
    store(account, events, source="ssec")
    return {"result": "ok", "accepted": len(events)}
