"""The checkout's coupon arithmetic (pure, no database): percent per order, amounts shared to
the cent without exceeding any order's goods."""

from decimal import Decimal

import pytest

from marketplace.coupons import CouponTerms, discounts_split, percent_off

D = Decimal


def test_percent_off_rounds_half_up_to_the_cent():
    assert [percent_off(D("0.50"), 5), percent_off(D("0.10"), 5), percent_off(D("999.99"), 100)] \
        == [D("0.03"), D("0.01"), D("999.99")]


def test_a_percent_coupon_takes_its_percent_off_each_order():
    terms = CouponTerms(code="GIFT", percent=10)
    assert discounts_split(terms, [D("450.00"), D("120.05")]) == [D("45.00"), D("12.01")]


def test_an_amount_coupon_is_shared_in_proportion_and_adds_up():
    terms = CouponTerms(code="GIFT", amount=D("50.00"))
    # exact shares 22.727... and 27.272...: the spare cent goes to the larger remainder
    assert discounts_split(terms, [D("100.00"), D("120.00")]) == [D("22.73"), D("27.27")]


def test_an_amount_coupon_is_capped_at_the_goods():
    terms = CouponTerms(code="GIFT", amount=D("500.00"))
    assert discounts_split(terms, [D("100.00"), D("20.50")]) == [D("100.00"), D("20.50")]


@pytest.mark.parametrize(
    "subtotals",
    [
        [D("0.01"), D("0.01"), D("0.01"), D("99.97")],
        [D("33.33"), D("33.33"), D("33.34")],
        [D("1.00"), D("1.00"), D("1.00"), D("1.00"), D("1.00")],
        [D("7.77")],
    ],
)
def test_no_order_gets_more_than_its_goods_and_the_cents_add_up(subtotals):
    whole = sum(subtotals)
    for amount in (whole - D("0.01"), whole / 3, D("0.01"), whole):
        amount = amount.quantize(D("0.01"))
        shares = discounts_split(CouponTerms(code="GIFT", amount=amount), subtotals)
        assert sum(shares) == amount
        assert all(D("0") <= share <= subtotal for share, subtotal in zip(shares, subtotals))


def test_no_goods_no_discount():
    assert discounts_split(CouponTerms(code="GIFT", amount=D("5")), [D("0.00")]) == [D("0.00")]
