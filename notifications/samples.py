"""Sample payloads for template previews: the same keys real payloads carry, made-up values."""

from __future__ import annotations

import copy
from typing import Any

from .events import event_spec

SAMPLE_SECTIONS: dict[str, Any] = {
    "storefront": {"id": 1, "name": "Demo Shop", "domain": "shop.example.ru",
                   "company_name": "Demo Shop LLC", "url": "https://shop.example.ru/"},
    "order": {
        "id": 123, "number": "000123", "status": "placed", "from_status": "",
        "subtotal": "2480.00", "shipping_cost": "300.00", "total": "2780.00",
        "coupon_code": "", "discount": "0.00",
        "shipping_method": "Courier", "delivery_address": "Moscow, Tverskaya st. 1",
        "placed_at": "01.03.2025 14:05", "items_count": 3,
        "lines": [
            {"name": "Ceramic mug", "quantity": 2, "unit_price": "490.00",
             "line_total": "980.00"},
            {"name": "Tea, 100 g", "quantity": 1, "unit_price": "1500.00",
             "line_total": "1500.00"},
        ],
    },
    "buyer": {"id": 7, "first_name": "Anna", "last_name": "Ivanova", "full_name": "Anna Ivanova",
              "email": "anna@example.org", "phone": "+79161234567"},
    "user": {"id": 8, "first_name": "Oleg", "last_name": "Smirnov", "full_name": "Oleg Smirnov",
             "email": "oleg@vendor.example.ru", "phone": ""},
    "company": {"id": 5, "name": "Tea & Co", "email": "orders@vendor.example.ru",
                "phone": "+74951234567"},
    "confirm_url": "https://shop.example.ru/confirm/sample-token/",
    "title": "Spring sale: -20% on tea",
    "text": "Only this week: every tea in the shop is 20% off.",
    "url": "https://shop.example.ru/sale/",
    # Buyer journeys (journeys/).
    "reminder": 1,
    "survey_url": "https://marketplace.example.ru/j/survey/sample-token/",
    "selection": [
        {"id": 11, "name": "Green tea, 250 g", "price": "690.00", "category": "Tea",
         "url": "https://shop.example.ru/products/11/"},
        {"id": 12, "name": "Glass teapot", "price": "1290.00", "category": "Tableware",
         "url": "https://shop.example.ru/products/12/"},
    ],
    "viewed": [
        {"id": 21, "name": "Oolong, 100 g", "price": "540.00", "category": "Tea",
         "url": "https://shop.example.ru/products/21/"},
    ],
    "similar": [
        {"id": 22, "name": "Puer, 100 g", "price": "720.00", "category": "Tea",
         "url": "https://shop.example.ru/products/22/"},
    ],
    "cart": {
        "id": 31, "url": "https://shop.example.ru/cart/", "items_count": 3, "total": "2270.00",
        "items": [
            {"name": "Ceramic mug", "quantity": 2, "unit_price": "490.00", "line_total": "980.00",
             "url": "https://shop.example.ru/products/13/", "available": True, "few_left": True,
             "stock": 3},
            {"name": "Glass teapot", "quantity": 1, "unit_price": "1290.00",
             "line_total": "1290.00", "url": "https://shop.example.ru/products/12/",
             "available": False, "few_left": False, "stock": 0},
        ],
    },
    "categories": ["Tea", "Tableware"],
    "age": 30,
    "gender": "f",
    "coupon": {"code": "GIFT-7KQ3X-M9TZA", "discount": "5%", "valid_until": "31.03.2025"},
    "rating": 2,
    "comment": "The courier was two hours late and did not call.",
    # Seller chains, milestones and the warehouse flow (chains/).
    "subject": "",
    "step": {"number": 1, "total": 3},
    "sales": 100,
    "stock_check_url": "https://marketplace.example.ru/w/s/sample-token/",
    "labels_url": "https://marketplace.example.ru/w/l/sample-token/labels.pdf",
    "kept": [{"name": "Ceramic mug", "quantity": 2, "unit_price": "490.00",
              "line_total": "980.00"}],
    "dropped": [{"name": "Tea, 100 g", "quantity": 1, "unit_price": "1500.00",
                 "line_total": "1500.00"}],
}


def sample_payload(event: str, variant: str = "") -> dict[str, Any]:
    """A payload for `event` with every data key the real one has."""
    spec = event_spec(event)
    payload = {key: copy.deepcopy(SAMPLE_SECTIONS[key]) for key in spec.data}
    if "order" in payload and variant:
        payload["order"]["status"] = variant
    return payload


def sample_extras(*, marketing: bool) -> dict[str, Any]:
    """The extras delivery adds to the context (links point nowhere)."""
    extras: dict[str, Any] = {"site_url": "https://marketplace.example.ru",
                              "recipient": {"name": "Anna", "address": "anna@example.org"}}
    if marketing:
        extras |= {"unsubscribe_url": "https://marketplace.example.ru/n/u/sample/",
                   "preferences_url": "https://marketplace.example.ru/n/p/sample/"}
    return extras
