"""Payload builders: loaded objects in, JSON primitives out (the only data templates see)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from .events import EventSpec
from .exceptions import MissingRefError

JSON = dict[str, Any]
PRIMITIVES = (str, int, float, bool, type(None))


@dataclass
class Refs:
    """The objects and values one emission is about, loaded once."""

    order: Any = None
    user: Any = None
    company: Any = None
    storefront: Any = None
    audience: list[Any] = field(default_factory=list)
    status: str = ""
    from_status: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def buyer(self) -> Any:
        return self.order.buyer if self.order is not None else self.user

    @property
    def seller_company(self) -> Any:
        if self.order is not None:
            return self.order.company
        if self.company is not None:
            return self.company
        profile = getattr(self.user, "seller_profile", None) if self.user else None
        return profile.company if profile else None

    @property
    def event_storefront(self) -> Any:
        """The storefront the event happened on (for senders, language and Sendsay scope)."""
        if self.order is not None:
            return self.order.storefront
        if self.storefront is not None:
            return self.storefront
        company = self.seller_company
        if company is not None:
            return company.storefront
        profile = getattr(self.user, "buyer_profile", None) if self.user else None
        return profile.storefront if profile else None


def money(value: Decimal | int | None) -> str:
    return f"{Decimal(value or 0):.2f}"


def local_time(value, time_zone: str) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, ZoneInfo(time_zone)).strftime("%d.%m.%Y %H:%M")


def phone_text(phone) -> str:
    return phone.as_e164 if phone else ""


def full_name(user) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part) or user.email


def storefront_data(refs: Refs) -> JSON:
    sf = refs.event_storefront
    if sf is None:
        raise MissingRefError("this event needs a storefront (storefront_id or an order)")
    return {"id": sf.pk, "name": sf.name, "domain": sf.domain, "company_name": sf.company_name,
            "url": f"https://{sf.domain}/"}


def order_data(refs: Refs) -> JSON:
    order = refs.order
    if order is None:
        raise MissingRefError("this event needs order_id")
    lines = [
        {"name": line.product_name, "quantity": line.quantity,
         "unit_price": money(line.unit_price), "line_total": money(line.unit_price * line.quantity)}
        for line in order.lines.all()
    ]
    return {
        "id": order.pk, "number": order.number, "status": refs.status or order.status,
        "from_status": refs.from_status, "subtotal": money(order.subtotal),
        "shipping_cost": money(order.shipping_cost), "total": money(order.total),
        "coupon_code": order.coupon_code, "discount": money(order.discount),
        "shipping_method": order.shipping_method.name, "delivery_address": order.delivery_address,
        "placed_at": local_time(order.created_at, order.storefront.time_zone),
        "items_count": sum(line["quantity"] for line in lines), "lines": lines,
    }


def person_data(user) -> JSON:
    profile = getattr(user, "buyer_profile", None)
    return {"id": user.pk, "first_name": user.first_name, "last_name": user.last_name,
            "full_name": full_name(user), "email": user.email,
            "phone": phone_text(profile.phone) if profile else ""}


def buyer_data(refs: Refs) -> JSON:
    if refs.buyer is None:
        raise MissingRefError("this event needs a buyer (user_id or an order)")
    return person_data(refs.buyer)


def user_data(refs: Refs) -> JSON:
    if refs.user is None:
        raise MissingRefError("this event needs user_id")
    return person_data(refs.user)


def company_data(refs: Refs) -> JSON:
    company = refs.seller_company
    if company is None:
        raise MissingRefError("this event needs a company (company_id or an order)")
    return {"id": company.pk, "name": company.name, "email": company.email,
            "phone": phone_text(company.phone)}


#: Payload keys built from loaded objects; any other data key is copied from the refs.
SECTIONS: Mapping[str, Callable[[Refs], JSON]] = {
    "storefront": storefront_data, "order": order_data, "buyer": buyer_data,
    "user": user_data, "company": company_data,
}


def primitive(key: str, value: Any) -> Any:
    """A caller-supplied value, checked to be a JSON primitive (or a list/dict of them)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise MissingRefError(f"{key}: {type(value).__name__} is not a JSON primitive") from exc
    return value


def payload_build(spec: EventSpec, refs: Refs) -> JSON:
    """The payload of one emission: each of `spec.data`, built or copied from `refs.params`.

    No queries (`selectors.refs_load` loaded everything). Money is a string with two decimals,
    dates are local to the storefront, blanks are "" (never missing), so a template can rely
    on every key of a section being present."""
    payload: JSON = {}
    for key in spec.data:
        if key in SECTIONS:
            payload[key] = SECTIONS[key](refs)
        elif key in refs.params:
            payload[key] = primitive(key, refs.params[key])
        else:
            raise MissingRefError(f"{spec.name} needs {key}=")
    return payload
