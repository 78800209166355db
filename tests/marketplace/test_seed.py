"""Demo data (`demo_seed`, `manage.py seed_demo`) and the bootstrap superuser (`ensure_admin`)."""

import io
import re
from collections import defaultdict
from itertools import pairwise

import phonenumbers
import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from marketplace.models import (
    BuyerProfile,
    Cart,
    CartLine,
    Category,
    Company,
    CompanyStatus,
    Gender,
    MarketplaceSettings,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Product,
    ProductView,
    SellerProfile,
    ShippingMethod,
    Storefront,
    User,
)
from marketplace.models.orders import ALLOWED_TRANSITIONS
from marketplace.services.demo import BASE_TIME, DEMO_DOMAINS, DEMO_PASSWORD, demo_seed
from tests import factories

pytestmark = pytest.mark.django_db

SCALE = 0.05  # 100 buyers, 250 orders: a fraction of a second
FREE_MAIL = {
    "gmail.com",
    "mail.ru",
    "yandex.ru",
    "ya.ru",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "rambler.ru",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
}

# What "the same data" means: every demo row by natural keys (plus the ids that the demo
# hands out itself), so the comparison does not depend on the order rows come back in.
FINGERPRINT = {
    Storefront: (
        "pk",
        "name",
        "domain",
        "company_name",
        "company_email",
        "admin_email",
        "created_at",
    ),
    ShippingMethod: ("code", "name", "price"),
    Category: ("slug", "name", "parent__slug"),
    Company: (
        "pk",
        "storefront__domain",
        "name",
        "email",
        "phone",
        "warehouse_email",
        "warehouse_phone",
        "status",
        "created_at",
        "updated_at",
    ),
    User: (
        "pk",
        "username",
        "email",
        "first_name",
        "last_name",
        "password",
        "date_joined",
        "is_staff",
        "is_superuser",
        "is_active",
    ),
    SellerProfile: ("user__email", "company__name", "is_owner", "created_at"),
    BuyerProfile: (
        "user__email",
        "storefront__domain",
        "phone",
        "gender",
        "birth_date",
        "city",
        "delivery_address",
        "email_confirmed_at",
        "last_activity_at",
        "preferred_shipping_method__code",
        "created_at",
        "updated_at",
    ),
    BuyerProfile.interests.through: ("buyerprofile__user__email", "category__slug"),
    Product: (
        "pk",
        "company__name",
        "sku",
        "name",
        "category__slug",
        "price",
        "stock",
        "is_active",
        "created_at",
    ),
    Order: (
        "pk",
        "buyer__email",
        "company__name",
        "storefront__domain",
        "status",
        "shipping_method__code",
        "delivery_address",
        "subtotal",
        "shipping_cost",
        "total",
        "created_at",
        "updated_at",
    ),
    OrderLine: (
        "order_id",
        "product__sku",
        "product_name",
        "unit_price",
        "quantity",
        "is_available",
    ),
    OrderStatusChange: (
        "order_id",
        "from_status",
        "to_status",
        "changed_by__email",
        "changed_at",
        "note",
    ),
    Cart: ("buyer__email", "storefront__domain", "created_at", "updated_at", "ordered_at"),
    CartLine: ("cart__buyer__email", "product__sku", "quantity", "added_at"),
    ProductView: ("buyer__email", "product__sku", "viewed_at"),
}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return demo_seed(seed=7, scale=SCALE)


def fingerprint() -> dict[str, list]:
    return {
        model.__name__: sorted(model.objects.values_list(*columns), key=repr)
        for model, columns in FINGERPRINT.items()
    }


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FINGERPRINT}


def seeded_fingerprint(seed: int) -> dict[str, list]:
    """Seed an empty database, fingerprint it, and roll everything back."""
    with transaction.atomic():
        demo_seed(seed=seed, scale=SCALE)
        result = fingerprint()
        transaction.set_rollback(True)
    assert not Storefront.objects.exists()
    return result


def test_same_seed_gives_identical_data():
    first = seeded_fingerprint(7)

    assert first == seeded_fingerprint(7)
    assert len(first["Order"]) == 250 and len(first["OrderStatusChange"]) > 250


def test_different_seed_gives_different_data():
    first, second = seeded_fingerprint(7), seeded_fingerprint(8)

    assert first["User"] != second["User"]
    assert first["Order"] != second["Order"]
    assert first["Storefront"] == second["Storefront"]  # the fixed reference data


def test_second_run_creates_nothing_whatever_the_seed(demo):
    before = row_counts()

    again = demo_seed(seed=7, scale=SCALE)
    other = demo_seed(seed=8, scale=1, only_if_empty=True)

    assert (again.created, again.message) == (False, "demo data already present, nothing to do")
    assert (other.created, other.message) == (False, "demo data already present, nothing to do")
    assert all(count == 0 for count in again.counts().values())
    assert row_counts() == before


def test_if_empty_leaves_a_database_with_marketplace_data_alone(storefront):
    summary = demo_seed(scale=SCALE, only_if_empty=True)

    assert not summary.created
    assert summary.message == "the database already holds marketplace data, nothing to do"
    assert list(Storefront.objects.all()) == [storefront]
    assert not User.objects.exists()


def test_counts_match_the_summary(demo):
    users = User.objects
    assert demo.created
    assert demo.storefronts == Storefront.objects.filter(domain__in=DEMO_DOMAINS).count() == 3
    assert demo.shipping_methods == ShippingMethod.objects.count() == 3
    assert demo.categories == Category.objects.count() == 25
    assert demo.companies == Company.objects.count()
    assert demo.seller_users == SellerProfile.objects.count()
    assert demo.buyers == BuyerProfile.objects.count() == 100
    assert (
        demo.unconfirmed_buyers
        == BuyerProfile.objects.filter(email_confirmed_at__isnull=True).count()
    )
    assert (
        demo.buyer_and_seller_users
        == users.filter(buyer_profile__isnull=False, seller_profile__isnull=False).count()
    )
    assert users.count() == demo.seller_users + demo.buyers - demo.buyer_and_seller_users
    assert demo.products == Product.objects.count()
    assert demo.orders == Order.objects.count() == 250
    assert demo.order_lines == OrderLine.objects.count()
    assert demo.status_changes == OrderStatusChange.objects.count()
    assert demo.carts == Cart.objects.count() > 0
    assert demo.cart_lines == CartLine.objects.count()
    assert demo.product_views == ProductView.objects.count()
    assert MarketplaceSettings.objects.count() == 1


def test_scale_one_has_the_documented_sizes():
    summary = demo_seed(scale=1)

    assert (summary.companies, summary.buyers, summary.products, summary.orders) == (
        50,
        2000,
        500,
        5000,
    )
    assert summary.unconfirmed_buyers == 300
    assert summary.buyer_and_seller_users == 10
    assert 1.5 * summary.companies <= summary.seller_users <= 2.5 * summary.companies


def test_every_order_status_is_present(demo):
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)


def test_histories_follow_allowed_transitions_and_end_at_the_order_status(demo):
    history = defaultdict(list)
    for change in OrderStatusChange.objects.order_by("changed_at", "id"):
        history[change.order_id].append(change)

    orders = list(Order.objects.all())
    assert set(history) == {order.pk for order in orders}
    for order in orders:
        steps = history[order.pk]
        assert (steps[0].from_status, steps[0].to_status) == ("", OrderStatus.PLACED)
        assert steps[0].changed_by_id == order.buyer_id
        for before, step in pairwise(steps):
            assert step.from_status == before.to_status
            assert step.to_status in ALLOWED_TRANSITIONS[before.to_status]
            assert step.changed_at > before.changed_at
        assert steps[-1].to_status == order.status
        assert (steps[0].changed_at, steps[-1].changed_at) == (order.created_at, order.updated_at)
        assert order.updated_at < BASE_TIME


def test_orders_are_consistent(demo):
    for order in Order.objects.select_related(
        "company", "buyer__buyer_profile", "shipping_method"
    ).prefetch_related("lines__product"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 3
        assert all(line.product.company_id == order.company_id for line in lines)
        assert order.subtotal == sum(line.unit_price * line.quantity for line in lines)
        assert (
            order.total
            == order.subtotal + order.shipping_cost
            == (order.subtotal + order.shipping_method.price)
        )
        assert order.storefront_id == order.company.storefront_id
        assert order.storefront_id == order.buyer.buyer_profile.storefront_id
        assert order.company.status == CompanyStatus.ACTIVE
        assert order.buyer.buyer_profile.email_confirmed_at < order.created_at
        if order.status == OrderStatus.AT_PICKUP_POINT:
            assert order.shipping_method.code == "pickup"


def test_about_fifteen_percent_of_buyers_are_unconfirmed(demo):
    unconfirmed = BuyerProfile.objects.filter(email_confirmed_at__isnull=True)

    assert unconfirmed.count() == 15  # of 100
    assert not Order.objects.filter(buyer__buyer_profile__in=unconfirmed).exists()


def test_some_users_are_buyers_and_sellers(demo):
    both = User.objects.filter(buyer_profile__isnull=False, seller_profile__isnull=False)

    assert both.count() == demo.buyer_and_seller_users >= 1
    for user in both.select_related("buyer_profile", "seller_profile__company"):
        assert user.buyer_profile.storefront_id == user.seller_profile.company.storefront_id


def test_buyers_are_varied_with_valid_russian_phones(demo):
    profiles = list(BuyerProfile.objects.all())

    assert {p.gender for p in profiles} == set(Gender.values)
    assert len({p.city for p in profiles}) > 5
    assert any(not p.phone for p in profiles) and any(not p.delivery_address for p in profiles)
    assert any(p.birth_date is None for p in profiles)
    assert any(p.birth_date is not None for p in profiles)
    phones = [p.phone for p in profiles if p.phone]
    assert all(phonenumbers.is_valid_number(phone) for phone in phones)
    assert all(phone.as_e164.startswith("+79") for phone in phones)
    assert BuyerProfile.interests.through.objects.exists()


def test_companies_have_mixed_statuses_and_staff(demo):
    assert set(Company.objects.values_list("status", flat=True)) >= {CompanyStatus.ACTIVE}
    for company in Company.objects.prefetch_related("staff"):
        staff = list(company.staff.all())
        assert 1 <= len(staff) <= 3
        assert sum(member.is_owner for member in staff) == 1


def test_storefronts_send_from_corporate_addresses(demo):
    for storefront in Storefront.objects.filter(domain__in=DEMO_DOMAINS):
        for address in (storefront.company_email, storefront.admin_email):
            domain = address.rsplit("@", 1)[1]
            assert domain == storefront.domain and domain not in FREE_MAIL


def test_open_carts_hold_active_products_of_their_storefront(demo):
    for cart in Cart.objects.prefetch_related("lines__product__company"):
        lines = list(cart.lines.all())
        assert cart.ordered_at is None and 1 <= len(lines) <= 4
        assert all(line.product.is_active for line in lines)
        assert all(line.product.company.storefront_id == cart.storefront_id for line in lines)
        assert cart.updated_at == max(line.added_at for line in lines) < BASE_TIME


def test_timestamps_come_from_the_fixed_base_time_not_the_clock(demo):
    latest = [
        Order.objects.latest("updated_at").updated_at,
        BuyerProfile.objects.latest("updated_at").updated_at,
        ProductView.objects.latest("viewed_at").viewed_at,
        User.objects.latest("date_joined").date_joined,
        Company.objects.latest("updated_at").updated_at,
    ]
    assert all(moment <= BASE_TIME for moment in latest)


def test_demo_users_log_in_with_the_demo_password(demo):
    passwords = set(User.objects.values_list("password", flat=True))

    assert len(passwords) == 1
    assert check_password(DEMO_PASSWORD, passwords.pop())


def test_rows_created_after_the_demo_get_fresh_ids(demo):
    top = User.objects.order_by("-pk").first().pk

    user = factories.UserFactory()
    order = factories.OrderFactory(buyer=user)

    assert user.pk > top
    assert order.pk > Order.objects.exclude(pk=order.pk).order_by("-pk").first().pk


def test_existing_shipping_methods_and_categories_are_reused(shipping_method):
    factories.CategoryFactory(slug="laptops", name="Laptops")

    summary = demo_seed(scale=SCALE)

    assert summary.shipping_methods == 2 and summary.categories == 24
    assert Order.objects.filter(shipping_method=shipping_method).exists()
    assert Product.objects.filter(category__slug="laptops").exists()


def test_seed_demo_command_prints_summary_and_time_then_skips():
    out = io.StringIO()
    call_command("seed_demo", "--seed", "3", "--scale", "0.05", stdout=out)

    text = out.getvalue()
    assert re.search(r"demo data created \(seed 3, scale 0\.05\) in \d+\.\d s:", text)
    assert f"  orders: {Order.objects.count():,}\n" in text
    assert DEMO_PASSWORD in text

    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert out.getvalue() == "demo data already present, nothing to do\n"


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "inf"])
def test_seed_demo_rejects_a_bad_scale(scale):
    with pytest.raises(CommandError, match="--scale must be a positive number"):
        call_command("seed_demo", "--scale", scale)
    assert not Storefront.objects.exists()


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


def ensure_admin() -> str:
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_ensure_admin_creates_the_superuser_once(monkeypatch, site_url):
    monkeypatch.setenv("ADMIN_PASSWORD", "s3cret-pass")
    assert ensure_admin() == (
        "Admin: http://127.0.0.1:8000/admin/  login: admin  password: s3cret-pass\n"
    )

    monkeypatch.setenv("ADMIN_PASSWORD", "another-one")
    assert ensure_admin() == (
        "Admin: http://127.0.0.1:8000/admin/  login: admin  "
        "password: unchanged (the superuser already existed)\n"
    )

    admin = User.objects.get(is_superuser=True)
    assert (admin.username, admin.email, admin.is_staff) == (
        "admin",
        "admin@marketplace.example",
        True,
    )
    assert admin.check_password("s3cret-pass")


def test_ensure_admin_defaults_the_password_to_admin(monkeypatch, site_url):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    assert ensure_admin().endswith("login: admin  password: admin\n")
    assert User.objects.get(username="admin").check_password("admin")


def test_ensure_admin_names_an_existing_superuser(site_url):
    User.objects.create_superuser("root", "root@ops.example", "pw")

    assert ensure_admin() == (
        "Admin: http://127.0.0.1:8000/admin/  login: root  "
        "password: unchanged (the superuser already existed)\n"
    )
    assert not User.objects.filter(username="admin").exists()


def test_ensure_admin_refuses_to_take_over_an_ordinary_user():
    factories.UserFactory(username="admin")

    with pytest.raises(CommandError, match="exists but is not a superuser"):
        call_command("ensure_admin", stdout=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()


def test_ensure_admin_works_alongside_the_demo(demo, monkeypatch, site_url):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    assert "login: admin  password: admin" in ensure_admin()
    assert User.objects.filter(is_superuser=True).count() == 1
