"""The rule value and the calendar arithmetic, checked against brute-force references (no
database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from audience.models import Role
from audience.rules import (
    SegmentRules,
    age_on,
    birthday_in,
    birthday_ranges,
    category_descendants,
    latest_birth_date,
)

TODAYS = [
    date(2023, 2, 27), date(2023, 2, 28), date(2023, 3, 1), date(2024, 2, 28), date(2024, 2, 29),
    date(2024, 3, 1), date(2023, 12, 30), date(2023, 12, 31), date(2024, 1, 1), date(2024, 6, 15),
    date(2025, 2, 28), date(2028, 2, 29),
]


def test_age_on_follows_the_calendar_and_29_february():
    assert age_on(date(2006, 6, 15), date(2024, 6, 15)) == 18
    assert age_on(date(2006, 6, 16), date(2024, 6, 15)) == 17
    assert age_on(date(2000, 2, 29), date(2023, 2, 27)) == 22
    assert age_on(date(2000, 2, 29), date(2023, 2, 28)) == 23
    assert age_on(date(2000, 2, 29), date(2024, 2, 28)) == 23
    assert age_on(date(2000, 2, 29), date(2024, 2, 29)) == 24
    assert birthday_in(2023, 2, 29) == date(2023, 2, 28)
    assert birthday_in(2024, 2, 29) == date(2024, 2, 29)


@pytest.mark.parametrize("today", TODAYS)
def test_latest_birth_date_is_exactly_the_age_boundary(today):
    births = [today - timedelta(days=n) for n in range(0, 4 * 366 + 3)]
    for years in range(4):
        cutoff = latest_birth_date(today, years)
        for birth in births:
            assert (age_on(birth, today) >= years) == (birth <= cutoff), (birth, years)


def _window_reference(today: date, days: int) -> set[tuple[int, int]]:
    window = {today + timedelta(days=n) for n in range(days + 1)}
    leap_days = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]
    return {
        (d.month, d.day) for d in leap_days
        if any(birthday_in(w.year, d.month, d.day) == w for w in window)
    }


def _expand(ranges) -> set[tuple[int, int]]:
    return {(month, day) for month, first, last in ranges for day in range(first, last + 1)}


@pytest.mark.parametrize("today", TODAYS)
@pytest.mark.parametrize("days", [0, 1, 2, 3, 7, 30, 364, 365, 366])
def test_birthday_ranges_match_the_day_by_day_reference(today, days):
    ranges = birthday_ranges(today, days)
    assert _expand(ranges) == _window_reference(today, days)
    assert len(ranges) <= 14


def test_birthday_window_wraps_over_new_year_and_merges_days_of_a_month():
    assert birthday_ranges(date(2024, 12, 30), 3) == [(12, 30, 31), (1, 1, 2)]
    assert birthday_ranges(date(2023, 2, 28), 0) == [(2, 28, 29)]
    assert birthday_ranges(date(2024, 2, 28), 0) == [(2, 28, 28)]
    assert birthday_ranges(date(2024, 2, 28), 1) == [(2, 28, 29)]


def test_category_descendants_walk_down_the_tree_and_survive_a_cycle():
    edges = [(1, None), (2, 1), (3, 2), (4, None), (5, 4), (6, 7), (7, 6)]
    assert category_descendants({1}, edges) == {1, 2, 3}
    assert category_descendants({2, 4}, edges) == {2, 3, 4, 5}
    assert category_descendants({6}, edges) == {6, 7}
    assert category_descendants(set(), edges) == frozenset()


def test_rules_report_what_does_not_apply_to_the_role():
    assert SegmentRules(role=Role.BUYER, age_min=18, storefront_ids=frozenset({1})).problems() == {}
    seller = SegmentRules(role=Role.SELLER, gender="f", spent_min=Decimal(1), products_min=2)
    assert set(seller.problems()) == {"gender", "spent_min"}
    admin = SegmentRules(role=Role.ADMIN, storefront_ids=frozenset({1}), sales_max=3)
    assert set(admin.problems()) == {"storefront_ids", "sales_max"}


def test_rules_from_values_keep_zero_and_false_as_set_rules():
    rules = SegmentRules.from_values(
        {"role": "buyer", "orders_max": 0, "email_confirmed": False, "gender": None,
         "name": "ignored"},
        {"category_ids": [3, 3, 4]},
    )
    assert rules.orders_max == 0 and rules.email_confirmed is False and rules.gender == ""
    assert rules.category_ids == frozenset({3, 4})
    assert rules.used() == {"orders_max", "email_confirmed", "category_ids"}
