"""Signed links of the warehouse flow (django.core.signing): stock check and labels download.

A token names the order and its company and is signed with a salt per purpose, so a stock-
check token cannot open the labels and the other way round; it expires after
SIGNED_LINK_MAX_AGE_DAYS. A stock-check link works once: after the answer the order is no
longer waiting for one (the page says so and changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from notifications.links import (
    absolute,
    invalid_link,
    signed_dump,
    signed_load,
)

STOCK_CHECK_SALT = "chains.warehouse.stock_check"
LABELS_SALT = "chains.warehouse.labels"


@dataclass(frozen=True)
class OrderLink:
    order_id: int
    company_id: int


def token_make(link: OrderLink, *, salt: str) -> str:
    return signed_dump({"o": link.order_id, "c": link.company_id}, salt=salt)


def token_load(token: str, *, salt: str) -> OrderLink:
    """The order a valid token names; raises LinkExpiredError or LinkError otherwise."""
    data = signed_load(token, salt=salt)
    try:
        return OrderLink(order_id=int(data["o"]), company_id=int(data["c"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid_link() from exc


def stock_check_url(*, order_id: int, company_id: int) -> str:
    token = token_make(OrderLink(order_id, company_id), salt=STOCK_CHECK_SALT)
    return absolute(reverse("warehouse:stock_check", args=[token]))


def labels_url(*, order_id: int, company_id: int) -> str:
    token = token_make(OrderLink(order_id, company_id), salt=LABELS_SALT)
    return absolute(reverse("warehouse:labels", args=[token]))
