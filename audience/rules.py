"""Segment rules as a plain value, the rules each role accepts, and the calendar arithmetic.

No queries here: `SegmentRules` is built by `selectors.segment_rules` (saved segment) or from a
bound form (unsaved edits), and `selectors.segment_queryset` turns it into SQL. The date helpers
work on `datetime.date` only, so age and birthday rules become plain comparisons and
(month, day) ranges that every database evaluates the same way.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import Role

#: Rules that only make sense for one role (storefronts apply to buyers and sellers).
BUYER_RULES = frozenset({
    "age_min", "age_max", "gender", "birthday_within_days", "shipping_method_ids",
    "category_ids", "last_activity_after", "last_activity_before", "orders_min", "orders_max",
    "spent_min", "spent_max", "abandoned_cart_hours", "email_confirmed",
})
SELLER_RULES = frozenset({
    "seller_status", "products_min", "products_max", "sales_min", "sales_max",
})
ROLE_RULES: dict[str, frozenset[str]] = {
    Role.BUYER: BUYER_RULES | {"storefront_ids"},
    Role.SELLER: SELLER_RULES | {"storefront_ids"},
    Role.ADMIN: frozenset(),
}
#: Rule name -> the model/form field it comes from, where they differ.
FORM_FIELDS = {
    "storefront_ids": "storefronts",
    "shipping_method_ids": "shipping_methods",
    "category_ids": "categories",
}


@dataclass(frozen=True)
class SegmentRules:
    """Every rule of a segment; None / "" / empty means "any". `category_ids` holds the chosen
    categories *and* their descendants (the selectors expand them once, when building this)."""

    role: str = Role.BUYER
    storefront_ids: frozenset[int] = frozenset()
    age_min: int | None = None
    age_max: int | None = None
    gender: str = ""
    birthday_within_days: int | None = None
    shipping_method_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    last_activity_after: date | None = None
    last_activity_before: date | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    spent_min: Decimal | None = None
    spent_max: Decimal | None = None
    abandoned_cart_hours: int | None = None
    email_confirmed: bool | None = None
    seller_status: str = ""
    products_min: int | None = None
    products_max: int | None = None
    sales_min: int | None = None
    sales_max: int | None = None

    @classmethod
    def scalar_names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in FORM_FIELDS]

    @classmethod
    def from_values(
        cls, values: Mapping[str, object], ids: Mapping[str, Iterable[int]] | None = None
    ) -> SegmentRules:
        """From model/form field values plus id collections keyed by rule name."""
        scalars = {name: values[name] for name in cls.scalar_names() if name in values}
        scalars["gender"] = scalars.get("gender") or ""
        scalars["seller_status"] = scalars.get("seller_status") or ""
        sets = {name: frozenset(found) for name, found in (ids or {}).items()}
        return cls(**scalars, **sets)

    def used(self) -> set[str]:
        """Names of the rules that are filled in."""
        return {
            f.name for f in fields(self)
            if f.name != "role" and getattr(self, f.name) not in (None, "", frozenset())
        }

    def problems(self) -> dict[str, str]:
        """Rule name -> why it is refused for this role (empty when the rules are usable)."""
        allowed = ROLE_RULES.get(self.role, frozenset())
        label = Role(self.role).label if self.role in Role.values else self.role
        return {
            name: _("This rule does not apply to %(role)s.") % {"role": str(label).lower()}
            for name in sorted(self.used() - allowed)
        }


# -- calendar arithmetic -----------------------------------------------------------------

def birthday_in(year: int, month: int, day: int) -> date:
    """The day someone born on (month, day) celebrates in `year`: 29 February falls on
    28 February in a common year (the day the age counts as reached, as in art. 192 of the
    Russian Civil Code)."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def age_on(birth: date, today: date) -> int:
    """Full years reached by `today` (the reference implementation the SQL must match)."""
    had_birthday = birthday_in(today.year, birth.month, birth.day) <= today
    return today.year - birth.year - (0 if had_birthday else 1)


def latest_birth_date(today: date, years: int) -> date:
    """The last birth date that is at least `years` old on `today`: age >= years exactly when
    birth_date <= this. A 29 February birth reaches its age on 28 February of common years."""
    year = today.year - years
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year) \
            and calendar.isleap(year):
        return date(year, 2, 29)
    if (today.month, today.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, today.month, today.day)


def birthday_ranges(today: date, days: int) -> list[tuple[int, int, int]]:
    """(month, first day, last day) ranges of birth dates whose birthday falls on one of
    `today` .. `today + days`. Consecutive days of one month merge into one range, so any
    window needs at most 13 ranges; 28 February of a common year also takes 29 February."""
    ranges: list[list[int]] = []
    for offset in range(days + 1):
        current = today + timedelta(days=offset)
        last = current.day
        if (current.month, current.day) == (2, 28) and not calendar.isleap(current.year):
            last = 29
        if ranges and ranges[-1][0] == current.month and ranges[-1][2] + 1 == current.day:
            ranges[-1][2] = last
        else:
            ranges.append([current.month, current.day, last])
    return [(month, first, last) for month, first, last in ranges]


def category_descendants(
    chosen: Iterable[int], edges: Iterable[tuple[int, int | None]]
) -> frozenset[int]:
    """`chosen` plus every category below them, from (id, parent id) pairs of the tree.
    A malformed tree (a cycle) cannot loop: each node is visited once."""
    children: dict[int, list[int]] = {}
    for node, parent in edges:
        if parent is not None:
            children.setdefault(parent, []).append(node)
    found: set[int] = set()
    pending = list(chosen)
    while pending:
        node = pending.pop()
        if node not in found:
            found.add(node)
            pending.extend(children.get(node, ()))
    return frozenset(found)
