"""Segment members equal the hand-computed sets of the fixture tables (tests/audience/conftest.py)
for every rule and for combinations; calendar edges; time zones; constant query counts."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audience.models import GenderRule, Role, Segment
from audience.rules import SegmentRules
from audience.selectors import (
    SegmentMember,
    rules_resolve,
    segment_addresses,
    segment_count,
    segment_queryset,
    segment_rules,
    segment_sample,
)
from marketplace.models import CompanyStatus
from tests import factories
from tests.audience.conftest import BUYERS, MSK, NOW, SELLERS, emails

pytestmark = pytest.mark.django_db


def members(segment) -> set[str]:
    return set(segment_queryset(segment).values_list("email", flat=True))


def segment(role=Role.BUYER, *, storefronts=(), shipping_methods=(), categories=(), **rules):
    saved = Segment.objects.create(name=f"segment {Segment.objects.count()}", role=role, **rules)
    saved.storefronts.set(storefronts)
    saved.shipping_methods.set(shipping_methods)
    saved.categories.set(categories)
    return saved


def check(expected: set[str], role=Role.BUYER, **rules) -> None:
    """The saved segment's members, count and the same rules unsaved all equal `expected`."""
    saved = segment(role, **rules)
    assert members(saved) == emails(expected)
    assert segment_count(saved) == len(expected)
    values = {name: getattr(saved, name) for name in SegmentRules.scalar_names()}
    unsaved = rules_resolve(
        values, storefront_ids=[s.pk for s in rules.get("storefronts", ())],
        shipping_method_ids=[m.pk for m in rules.get("shipping_methods", ())],
        category_ids=[c.pk for c in rules.get("categories", ())],
    )
    assert members(unsaved) == emails(expected)


# -- buyers: one rule at a time ------------------------------------------------------------

def test_role_alone_takes_active_buyers_with_an_address(buyers):
    check(BUYERS)


def test_storefront_rule(buyers, world):
    check({"anna", "boris", "daria", "egor"}, storefronts=[world.storefront_a])
    check({"vera", "gleb", "zoya"}, storefronts=[world.storefront_b])
    check(BUYERS, storefronts=[world.storefront_a, world.storefront_b])


@pytest.mark.parametrize(("gender", "expected"), [
    (GenderRule.FEMALE, {"anna", "vera", "zoya"}),
    (GenderRule.MALE, {"boris", "gleb", "egor"}),
    (GenderRule.UNSPECIFIED, {"daria"}),
    (GenderRule.ANY, BUYERS),
])
def test_gender_rule(buyers, gender, expected):
    check(expected, gender=gender)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (18, 18, {"vera"}),              # 18 today: her birthday is today
    (None, 17, set()),               # nobody is 17 any more
    (18, 30, {"vera", "daria", "zoya"}),
    (None, 28, {"vera", "daria", "zoya"}),  # zoya turns 29 tomorrow
    (30, None, {"anna", "boris", "egor"}),  # anna is 33 until the 20th
    (34, 38, set()),
    (53, 53, {"egor"}),
    (54, None, set()),
    (0, None, {"anna", "boris", "vera", "daria", "egor", "zoya"}),  # gleb has no birth date
])
def test_age_rule(buyers, low, high, expected):
    check(expected, age_min=low, age_max=high)


@pytest.mark.parametrize(("days", "expected"), [
    (0, {"vera"}), (1, {"vera", "zoya"}), (4, {"vera", "zoya"}), (5, {"vera", "zoya", "anna"}),
    (366, {"anna", "boris", "vera", "daria", "egor", "zoya"}),
])
def test_birthday_rule(buyers, days, expected):
    check(expected, birthday_within_days=days)


def test_shipping_method_rule_ignores_cancelled_orders(buyers, world):
    check({"anna", "gleb", "zoya"}, shipping_methods=[world.courier])
    check({"boris", "egor"}, shipping_methods=[world.pickup])
    check({"anna", "boris", "gleb", "egor", "zoya"}, shipping_methods=[world.courier, world.pickup])


@pytest.mark.parametrize(("chosen", "expected"), [
    (["electronics"], {"anna", "gleb", "egor"}),   # likes Smartphones, bought Phones / root
    (["phones"], {"anna", "gleb"}),
    (["smartphones"], {"anna"}),                   # boris's Smartphones order was cancelled
    (["books"], {"boris", "daria"}),               # bought / likes
    (["smartphones", "books"], {"anna", "boris", "daria"}),
])
def test_category_rule_takes_interests_purchases_and_descendants(buyers, world, chosen, expected):
    check(expected, categories=[world.categories[name] for name in chosen])


@pytest.mark.parametrize(("after", "before", "expected"), [
    (date(2024, 6, 1), None, {"anna", "vera", "egor", "zoya"}),  # egor: 06-01 00:00 sharp
    (None, date(2024, 6, 1), {"boris", "daria"}),                # gleb never active: neither
    (date(2024, 6, 2), None, {"anna", "vera", "zoya"}),
    (date(2024, 1, 1), date(2024, 6, 11), {"anna", "boris", "daria", "egor"}),
    (date(2024, 6, 15), None, {"zoya"}),
])
def test_last_activity_rules(buyers, after, before, expected):
    check(expected, last_activity_after=after, last_activity_before=before)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (2, None, {"anna", "gleb"}),
    (None, 0, {"vera", "daria"}),
    (1, 1, {"boris", "egor", "zoya"}),   # boris's cancelled order does not count
    (0, None, BUYERS),
    (4, None, set()),
])
def test_orders_count_rule(buyers, low, high, expected):
    check(expected, orders_min=low, orders_max=high)


@pytest.mark.parametrize(("low", "high", "expected"), [
    ("500", None, {"anna", "egor", "zoya"}),
    (None, "300", {"boris", "vera", "gleb", "daria"}),
    ("300", "700", {"boris", "gleb", "zoya"}),
    ("1500", "1500", {"anna"}),
    ("0", "0", {"vera", "daria"}),
    ("20000.01", None, set()),
])
def test_total_spent_rule_sums_non_cancelled_orders(buyers, low, high, expected):
    check(expected, spent_min=low and Decimal(low), spent_max=high and Decimal(high))


@pytest.mark.parametrize(("hours", "expected"), [
    (1, {"anna", "vera"}), (2, {"anna", "vera"}), (3, {"anna"}), (24, {"anna"}), (25, set()),
])
def test_abandoned_cart_rule_needs_an_open_cart_with_lines_idle_that_long(buyers, hours, expected):
    check(expected, abandoned_cart_hours=hours)


def test_abandoned_cart_hours_move_with_the_clock(buyers, time_machine):
    saved = segment(abandoned_cart_hours=25)
    assert members(saved) == set()
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    assert members(saved) == emails({"anna"})


@pytest.mark.parametrize(("confirmed", "expected"), [
    (True, {"anna", "boris", "gleb", "daria", "zoya"}), (False, {"vera", "egor"}),
    (None, BUYERS),
])
def test_email_confirmed_rule(buyers, confirmed, expected):
    check(expected, email_confirmed=confirmed)


# -- buyers: combinations ------------------------------------------------------------------

def test_combinations_intersect_the_rules(buyers, world):
    check({"anna"}, gender="f", storefronts=[world.storefront_a])
    check({"anna", "zoya"}, gender="f", email_confirmed=True, birthday_within_days=5)
    check({"anna", "zoya"}, shipping_methods=[world.courier], spent_min=Decimal(500))
    check({"anna", "egor"}, categories=[world.categories["electronics"]], age_min=30)
    check({"gleb", "zoya"}, storefronts=[world.storefront_b], orders_min=1)
    check({"vera"}, abandoned_cart_hours=1, email_confirmed=False, age_max=20)
    check({"egor"}, last_activity_after=date(2024, 6, 1), last_activity_before=date(2024, 6, 2),
          shipping_methods=[world.pickup], orders_max=1, gender="m")
    check(set(), gender="m", birthday_within_days=30)


# -- calendar edges ------------------------------------------------------------------------

def _born(*births: date) -> None:
    storefront = factories.StorefrontFactory(time_zone="Europe/Moscow")
    for birth in births:
        factories.BuyerProfileFactory(
            storefront=storefront, birth_date=birth,
            user=factories.UserFactory(email=f"b{birth.isoformat()}@example.org"),
        )


def born(*births: date) -> set[str]:
    return {f"b{birth.isoformat()}@example.org" for birth in births}


def at(*args) -> datetime:
    return datetime(*args, 12, tzinfo=MSK)


def test_birthday_window_wraps_over_new_year(db, time_machine):
    time_machine.move_to(at(2024, 12, 30), tick=False)
    inside = [date(1990, 12, 30), date(1991, 12, 31), date(1992, 1, 1), date(1993, 1, 2)]
    _born(*inside, date(1994, 1, 3), date(1995, 12, 29))
    assert members(segment(birthday_within_days=3)) == born(*inside)
    assert members(segment(birthday_within_days=1)) == born(*inside[:2])


@pytest.mark.parametrize(("today", "days", "expected"), [
    ((2023, 2, 28), 0, [(2000, 2, 28), (2004, 2, 29)]),   # common year: 29 Feb celebrates 28
    ((2023, 2, 27), 1, [(2000, 2, 27), (2000, 2, 28), (2004, 2, 29)]),
    ((2023, 3, 1), 0, [(2001, 3, 1)]),
    ((2024, 2, 28), 0, [(2000, 2, 28)]),                  # leap year: 29 Feb is its own day
    ((2024, 2, 28), 1, [(2000, 2, 28), (2004, 2, 29)]),
    ((2024, 2, 29), 0, [(2004, 2, 29)]),
])
def test_birthday_window_handles_29_february(db, time_machine, today, days, expected):
    time_machine.move_to(at(*today), tick=False)
    _born(date(2000, 2, 27), date(2000, 2, 28), date(2004, 2, 29), date(2001, 3, 1))
    assert members(segment(birthday_within_days=days)) == born(*(date(*d) for d in expected))


@pytest.mark.parametrize(("today", "low", "high", "expected"), [
    ((2024, 6, 15), 18, 18, [(2006, 6, 15)]),             # 18 on the birthday itself
    ((2024, 6, 15), 17, 17, [(2006, 6, 16)]),             # 17 until tomorrow
    ((2023, 2, 28), 23, 23, [(2000, 2, 29)]),             # 29 Feb: of age on 28 Feb
    ((2023, 2, 27), 22, 22, [(2000, 2, 29)]),
    ((2024, 2, 28), 24, None, []),                        # leap year: waits for the 29th
    ((2024, 2, 29), 24, None, [(2000, 2, 29)]),
])
def test_age_boundaries(db, time_machine, today, low, high, expected):
    time_machine.move_to(at(*today), tick=False)
    candidates = {(2006, 6, 15), (2006, 6, 16), (2000, 2, 29)}
    _born(*(date(*d) for d in candidates))
    assert members(segment(age_min=low, age_max=high)) == born(*(date(*d) for d in expected))


def test_age_and_birthday_use_each_storefronts_time_zone(db, time_machine):
    # 20:00 in Moscow is already 03:00 on the 16th in Vladivostok.
    time_machine.move_to(datetime(2024, 6, 15, 20, tzinfo=MSK), tick=False)
    moscow = factories.StorefrontFactory(time_zone="Europe/Moscow")
    vladivostok = factories.StorefrontFactory(time_zone="Asia/Vladivostok")
    for name, storefront in [("msk", moscow), ("vvo", vladivostok)]:
        factories.BuyerProfileFactory(
            storefront=storefront, birth_date=date(2006, 6, 16),
            user=factories.UserFactory(email=f"{name}@example.org"),
        )
    assert members(segment(age_min=18)) == {"vvo@example.org"}
    assert members(segment(age_max=17)) == {"msk@example.org"}
    assert members(segment(birthday_within_days=0)) == {"vvo@example.org"}
    assert members(segment(birthday_within_days=1)) == {"vvo@example.org", "msk@example.org"}
    assert members(segment(age_min=18, storefronts=[moscow])) == set()


# -- sellers and admins --------------------------------------------------------------------

@pytest.mark.parametrize(("rules", "expected"), [
    ({}, SELLERS),
    ({"seller_status": CompanyStatus.ACTIVE}, {"s1", "s2", "s4"}),
    ({"seller_status": CompanyStatus.PENDING}, {"s3"}),
    ({"seller_status": CompanyStatus.DISABLED}, set()),
    ({"products_min": 2}, {"s1", "s2"}),               # 3 active (the inactive one not counted)
    ({"products_min": 4}, set()),
    ({"products_max": 0}, {"s3"}),
    ({"products_min": 1, "products_max": 1}, {"s4"}),
    ({"sales_min": 1}, {"s1", "s2", "s4"}),
    ({"sales_min": 2}, {"s1", "s2"}),
    ({"sales_max": 0}, {"s3"}),                         # a cancelled order is no sale
    ({"sales_min": 1, "sales_max": 1}, {"s4"}),         # a placed order is no sale
    ({"seller_status": CompanyStatus.ACTIVE, "products_max": 1}, {"s4"}),
])
def test_seller_rules(sellers, buyers, rules, expected):
    check(expected, role=Role.SELLER, **rules)


def test_seller_storefront_rule_uses_the_company_storefront(sellers, world):
    check({"s1", "s2", "s4"}, role=Role.SELLER, storefronts=[world.storefront_a])
    check({"s3"}, role=Role.SELLER, storefronts=[world.storefront_b])


def test_admin_role_takes_active_staff_and_superusers(admins, sellers, buyers):
    check({"staff", "root"}, role=Role.ADMIN)


def test_a_person_with_two_roles_is_in_both_segments(buyers, sellers):
    factories.SellerProfileFactory(user=buyers["anna"],
                                   company=sellers["s1"].seller_profile.company)
    assert "anna@example.org" in members(segment(Role.SELLER))
    assert "anna@example.org" in members(segment(Role.BUYER))


# -- rules, sample, addresses, query counts --------------------------------------------------

def test_segment_rules_read_links_and_expand_categories_in_one_query(buyers, world):
    saved = segment(storefronts=[world.storefront_a], shipping_methods=[world.pickup],
                    categories=[world.categories["phones"]], age_min=3)
    with CaptureQueriesContext(connection) as queries:
        rules = segment_rules(saved)
    assert len(queries) == 1
    assert rules.storefront_ids == {world.storefront_a.pk}
    assert rules.shipping_method_ids == {world.pickup.pk}
    assert rules.category_ids == {world.categories["phones"].pk,
                                  world.categories["smartphones"].pk}
    assert rules.age_min == 3


def test_sample_lists_email_name_and_storefront(buyers, sellers, admins):
    assert segment_sample(segment(storefronts=[buyers["boris"].buyer_profile.storefront]), n=2) == [
        SegmentMember("anna@example.org", "Anna Buyer", "Alpha shop"),
        SegmentMember("boris@example.org", "Boris Buyer", "Alpha shop"),
    ]
    assert segment_sample(segment(Role.SELLER), n=1) == [
        SegmentMember("s1@example.org", "S1 Seller", "Alpha shop")]
    assert segment_sample(segment(Role.ADMIN))[0].storefront == ""


def test_addresses_put_unconfirmed_buyers_last(buyers):
    rows = list(segment_addresses(segment()))
    assert rows == [(f"{n}@example.org", False) for n in ("anna", "boris", "gleb", "daria", "zoya")] \
        + [("vera@example.org", True), ("egor@example.org", True)]


def _everything(world) -> Segment:
    return segment(
        storefronts=[world.storefront_a], shipping_methods=[world.courier],
        categories=[world.categories["electronics"]], age_min=18, age_max=99,
        birthday_within_days=200, gender="f", email_confirmed=True,
        last_activity_after=date(2020, 1, 1), last_activity_before=date(2030, 1, 1),
        orders_min=1, orders_max=50, spent_min=Decimal(1), spent_max=Decimal(10**6),
        abandoned_cart_hours=1,
    )


def _count_queries(saved: Segment) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        count = segment_count(saved)
    return count, len(queries)


def test_count_costs_the_same_few_queries_whatever_the_segment_size(buyers, world):
    saved = _everything(world)
    small, small_queries = _count_queries(saved)
    assert small == 1  # anna
    for index in range(30):
        twin = factories.BuyerProfileFactory(
            storefront=world.storefront_a, gender="f", birth_date=date(1990, 6, 20),
            last_activity_at=NOW, user=factories.UserFactory(email=f"twin{index}@example.org"),
        ).user
        twin.buyer_profile.interests.add(world.categories["smartphones"])
        factories.OrderFactory(buyer=twin, shipping_method=world.courier)
        factories.CartLineFactory(cart=factories.CartFactory(buyer=twin,
                                                             updated_at=NOW - timedelta(days=1)))
    from marketplace.models import Cart
    Cart.objects.update(updated_at=NOW - timedelta(days=1))
    large, large_queries = _count_queries(saved)
    assert large == 31
    assert small_queries == large_queries
    assert 1 <= large_queries <= 3


def test_seller_count_costs_two_queries(sellers):
    saved = segment(Role.SELLER, seller_status=CompanyStatus.ACTIVE, products_min=1, sales_min=1)
    assert _count_queries(saved) == (3, 2)
