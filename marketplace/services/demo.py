"""Deterministic demo data for the marketplace (`seed_demo`) and the bootstrap superuser.

`demo_seed` draws every value from one `random.Random(seed)` and dates everything from the
fixed moment `BASE_TIME`, never from `now()`: the same seed and scale on an empty database
always give the same rows, primary keys included. It writes in batches, in one transaction.
"""

import random
import string
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

from marketplace.exceptions import MarketplaceError
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

#: "Now" for the demo world: every demo timestamp lies before it.
BASE_TIME = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Moscow"))
_BASE = BASE_TIME.astimezone(UTC)  # the same moment; UTC is cheaper to store
#: Every demo user (buyers and seller staff) logs in with this password.
DEMO_PASSWORD = "demo-password-123"
#: Rows per INSERT batch (executemany call).
BATCH_SIZE = 2000

# fmt: off
# (name, domain, operator company): corporate addresses on a reserved TLD, never free mail.
STOREFRONTS = (
    ("Большой базар", "bazar.marketplace.example", "ООО «Большой базар»"),
    ("ТехноДом", "techno.marketplace.example", "ООО «ТехноДом»"),
    ("Модный квартал", "moda.marketplace.example", "ООО «Модный квартал»"),
)
DEMO_DOMAINS = tuple(domain for _name, domain, _company in STOREFRONTS)
SHIPPING = (("courier", "Курьер", "350.00"), ("pickup", "Пункт выдачи", "99.00"),
            ("post", "Почта России", "250.00"))
# root: (slug, name, (min, max) price), children: (slug, name, product nouns)
CATEGORY_TREE = (
    (("electronics", "Электроника", (990, 149_990)), (
        ("smartphones", "Смартфоны", ("Смартфон", "Защитное стекло")),
        ("laptops", "Ноутбуки", ("Ноутбук", "Сумка для ноутбука")),
        ("headphones", "Наушники", ("Наушники", "Гарнитура")),
        ("smartwatches", "Умные часы", ("Умные часы", "Фитнес-браслет")))),
    (("clothing", "Одежда и обувь", (490, 19_990)), (
        ("women", "Женская одежда", ("Платье", "Блузка")),
        ("men", "Мужская одежда", ("Рубашка", "Джинсы")),
        ("kids", "Детская одежда", ("Комбинезон", "Футболка детская")),
        ("shoes", "Обувь", ("Кроссовки", "Ботинки")))),
    (("home", "Дом и сад", (190, 59_990)), (
        ("furniture", "Мебель", ("Стул", "Стеллаж")),
        ("kitchen", "Посуда", ("Сковорода", "Набор кастрюль")),
        ("textile", "Текстиль", ("Плед", "Комплект постельного белья")),
        ("tools", "Инструменты", ("Дрель", "Набор отвёрток")))),
    (("beauty", "Красота и здоровье", (150, 9_990)), (
        ("skincare", "Уход за кожей", ("Крем для лица", "Сыворотка")),
        ("perfume", "Парфюмерия", ("Туалетная вода", "Парфюм")),
        ("vitamins", "Витамины", ("Витамин D3", "Омега-3")),
        ("makeup", "Макияж", ("Тушь для ресниц", "Помада")))),
    (("sport", "Спорт и отдых", (290, 89_990)), (
        ("fitness", "Фитнес", ("Гантели", "Коврик для йоги")),
        ("bicycles", "Велосипеды", ("Велосипед", "Велошлем")),
        ("camping", "Туризм", ("Палатка", "Рюкзак")),
        ("winter", "Зимний спорт", ("Лыжи", "Сноуборд")))),
)
BRANDS = ("Vektra", "Nord", "Altai", "Volna", "Sever", "Orion", "Taiga", "Polus", "Baikal", "Zenit")
FIRST_NAMES = {  # (Cyrillic, Latin)
    Gender.MALE: (("Иван", "ivan"), ("Алексей", "aleksei"), ("Дмитрий", "dmitry"),
                  ("Сергей", "sergei"), ("Андрей", "andrei"), ("Михаил", "mikhail"),
                  ("Никита", "nikita"), ("Артём", "artem"), ("Павел", "pavel")),
    Gender.FEMALE: (("Анна", "anna"), ("Мария", "maria"), ("Елена", "elena"),
                    ("Ольга", "olga"), ("Наталья", "natalia"), ("Татьяна", "tatiana"),
                    ("Екатерина", "ekaterina"), ("Дарья", "daria"), ("Ирина", "irina")),
}
LAST_NAMES = (("Иванов", "ivanov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"),
              ("Попов", "popov"), ("Соколов", "sokolov"), ("Лебедев", "lebedev"),
              ("Морозов", "morozov"), ("Волков", "volkov"), ("Фёдоров", "fedorov"),
              ("Орлов", "orlov"), ("Никитин", "nikitin"), ("Захаров", "zakharov"))
CITIES = ("Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань",
          "Нижний Новгород", "Самара", "Ростов-на-Дону", "Краснодар", "Воронеж", "Пермь", "Уфа")
STREETS = ("ул. Ленина", "ул. Мира", "ул. Садовая", "ул. Лесная", "пр. Победы",
           "ул. Центральная", "ул. Молодёжная", "Набережная ул.")
COMPANY_WORDS = (("Альфа", "alfa"), ("Вектор", "vektor"), ("Гранит", "granit"),
                 ("Дельта", "delta"), ("Европа", "evropa"), ("Заря", "zarya"),
                 ("Импульс", "impuls"), ("Кедр", "kedr"), ("Лидер", "lider"),
                 ("Меридиан", "meridian"), ("Новатор", "novator"), ("Ока", "oka"))
COMPANY_KINDS = (("Трейд", "trade"), ("Маркет", "market"), ("Снаб", "snab"),
                 ("Опт", "opt"), ("Торг", "torg"), ("Поставка", "postavka"))
BUYER_DOMAINS = ("example.com", "example.org", "example.net")
# fmt: on


class _Weights:
    """Items with relative weights, drawn like `random.choices` without rebuilding lists."""

    def __init__(self, weights: dict) -> None:
        self.items = tuple(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]


_COMPANY_STATUSES = _Weights(
    {
        CompanyStatus.ACTIVE: 70,
        CompanyStatus.PENDING: 10,
        CompanyStatus.NEW: 10,
        CompanyStatus.DISABLED: 10,
    }
)
# Order statuses as plain strings: the order loop runs millions of times at scale 50, and
# reading an enum member costs a descriptor call each time.
_PLACED = OrderStatus.PLACED.value
_CONFIRMED = OrderStatus.CONFIRMED.value
_HANDED_TO_CARRIER = OrderStatus.HANDED_TO_CARRIER.value
_ARRIVED_IN_CITY = OrderStatus.ARRIVED_IN_CITY.value
_AT_PICKUP_POINT = OrderStatus.AT_PICKUP_POINT.value
_DELIVERED = OrderStatus.DELIVERED.value
_CANCELLED = OrderStatus.CANCELLED.value
_ALL_ORDER_STATUSES = tuple(OrderStatus.values)
_FORWARD = (_PLACED, _CONFIRMED, _HANDED_TO_CARRIER, _ARRIVED_IN_CITY)
_RECENT_ORDER_STATUSES = _Weights(
    {
        _PLACED: 15,
        _CONFIRMED: 15,
        _HANDED_TO_CARRIER: 15,
        _ARRIVED_IN_CITY: 10,
        _AT_PICKUP_POINT: 10,
        _DELIVERED: 25,
        _CANCELLED: 10,
    }
)
_OLD_ORDER_STATUSES = _Weights({_DELIVERED: 85, _CANCELLED: 15})
_STOREFRONT_SHARES = _Weights({0: 50, 1: 30, 2: 20})
_SHIPPING_SHARES = _Weights({"courier": 45, "pickup": 35, "post": 20})
_LINES_PER_ORDER = _Weights({1: 50, 2: 30, 3: 20})
_ORDERED_QUANTITY = _Weights({1: 75, 2: 18, 3: 7})
_CART_QUANTITY = _Weights({1: 80, 2: 15, 3: 5})
_CANCEL_NOTES = ("Покупатель передумал", "Нет в наличии", "Не удалось связаться с покупателем")


@dataclass
class DemoSummary:
    """What `demo_seed` did: `created` is False (and every count 0) when it skipped."""

    created: bool = False
    message: str = ""
    storefronts: int = 0
    shipping_methods: int = 0
    categories: int = 0
    companies: int = 0
    seller_users: int = 0
    buyers: int = 0
    unconfirmed_buyers: int = 0
    buyer_and_seller_users: int = 0
    products: int = 0
    orders: int = 0
    order_lines: int = 0
    status_changes: int = 0
    carts: int = 0
    cart_lines: int = 0
    product_views: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in (int, "int")}


@dataclass(frozen=True)
class AdminLogin:
    """How to log in as the superuser; `password` is None when it already existed."""

    username: str
    password: str | None

    @property
    def created(self) -> bool:
        return self.password is not None


def demo_seed(
    *, seed: int = 42, scale: float = 1.0, only_if_empty: bool = False, stdout: TextIO | None = None
) -> DemoSummary:
    """Create the demo marketplace in one transaction, unless it is there already.

    At scale 1: 3 storefronts, 3 shipping methods, 5 x 4 categories, 50 companies with about
    100 staff users (10 of whom also buy), 2,000 buyers (15 % unconfirmed), 500 products,
    5,000 orders in every status with their lines and status history, 300 open carts and
    4,000 product views. Skips, creating nothing, when a demo storefront exists (whatever
    seed made it); with `only_if_empty` also when any storefront, company or buyer exists.
    Primary keys continue from the tables' current maxima, so run it while nothing else
    writes to the marketplace tables. Progress lines go to `stdout` when given.
    """
    if not scale > 0:
        raise ValueError("scale must be a positive number")
    with transaction.atomic():
        reason = _skip_reason(only_if_empty=only_if_empty)
        if reason:
            return DemoSummary(message=reason)
        summary = _DemoBuilder(seed=seed, scale=scale, stdout=stdout).build()
    summary.message = f"demo data created (seed {seed}, scale {scale:g})"
    return summary


def superuser_ensure(*, username: str, email: str, password: str) -> AdminLogin:
    """Create a superuser unless one exists (then nothing changes, its password included).

    Raises MarketplaceError when no superuser exists but `username` or `email` belongs to an
    ordinary user: promoting someone silently would be worse than asking.
    """
    existing = User.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        return AdminLogin(username=existing.get_username(), password=None)
    if User.objects.filter(models.Q(username=username) | models.Q(email__iexact=email)).exists():
        raise MarketplaceError(
            f"A user named {username!r} or with the e-mail {email!r} exists but is not a "
            "superuser; make it one or remove it, then run ensure_admin again."
        )
    User.objects.create_superuser(username=username, email=email, password=password)
    return AdminLogin(username=username, password=password)


def _skip_reason(*, only_if_empty: bool) -> str:
    if Storefront.objects.filter(domain__in=DEMO_DOMAINS).exists():
        return "demo data already present, nothing to do"
    if only_if_empty and (
        Storefront.objects.exists() or Company.objects.exists() or BuyerProfile.objects.exists()
    ):
        return "the database already holds marketplace data, nothing to do"
    return ""


_REQUIRED = object()


def _static_default(f: models.Field) -> Any:
    """What a column gets when rows leave it out, or _REQUIRED: timestamps and callable
    defaults must be given, so that nothing depends on the clock."""
    if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return _REQUIRED
    if f.has_default():
        return _REQUIRED if callable(f.default) else f.default
    if f.null:
        return None
    return "" if f.empty_strings_allowed else _REQUIRED


def _adapter(f: models.Field) -> Callable[[Any], Any] | None:
    """The backend's own conversion for the column types its driver may not take as is."""
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
            return _sqlite_utc_text
        return ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(f, models.DecimalField):
        if type(ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # passes decimals through unchanged, as on every bundled backend
        return partial(
            ops.adapt_decimalfield_value, max_digits=f.max_digits, decimal_places=f.decimal_places
        )
    return None


def _sqlite_utc_text(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC as text), without
    its generic checks, which cost a tenth of the run at scale 50. The demo's datetimes are
    all in UTC; anything else takes the backend's own path."""
    if value.tzinfo is UTC:
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


class _Table:
    """Rows of one model, given positionally in `columns` order, written with `executemany`.

    Several times faster than `bulk_create`, which builds and prepares a model instance per
    row (measured on SQLite: 2.3 s at scale 1 with it, so some two minutes at scale 50;
    0.6 s and 30 s with this). Values are stored as given, so `auto_now`/`auto_now_add`
    columns keep the demo's fixed timestamps; columns left out get their field's static
    default, and leaving out one without such a default is an error. With `with_pk`, `add`
    hands out primary keys from MAX(pk) + 1, so rows can refer to rows not written yet, and
    `close` resets the backend's sequence as `loaddata` does. Callers flush parents before
    children: MySQL checks foreign keys at once.
    """

    def __init__(self, model: type[models.Model], *columns: str, with_pk: bool = False) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in columns]
        rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        missing = [f.attname for f in rest if _static_default(f) is _REQUIRED]
        if missing:
            raise TypeError(f"{model.__name__}: no value for {missing}")
        self.model, self.width = model, len(columns)
        self.fields = ([meta.pk] if with_pk else []) + given + rest
        self.constants = [_static_default(f) for f in rest]
        self.adapters = [(i, a) for i, f in enumerate(self.fields) if (a := _adapter(f))]
        quote = connection.ops.quote_name
        # Only quoted identifiers from the model's meta and placeholders: no data in the SQL.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        self.next_pk = None
        if with_pk:
            self.next_pk = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.rows: list[list] = []
        self.written = 0

    def add(self, *values: Any) -> int | None:
        """Queue one row; return its primary key when the table hands them out."""
        if len(values) != self.width:
            raise TypeError(f"{self.model.__name__}: {self.width} values expected: {values}")
        pk = self.next_pk
        if pk is None:
            self.rows.append([*values, *self.constants])
        else:
            self.next_pk = pk + 1
            self.rows.append([pk, *values, *self.constants])
        return pk

    def flush(self) -> None:
        for i, adapt in self.adapters:
            for row in self.rows:
                if row[i] is not None:
                    row[i] = adapt(row[i])
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH_SIZE):
                cursor.executemany(self.sql, self.rows[start : start + BATCH_SIZE])
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> int:
        """Write what is queued, fix the sequence, return how many rows were written."""
        self.flush()
        if self.next_pk is not None:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)
        return self.written


@dataclass(slots=True)
class _Product:
    pk: int
    name: str
    price: Decimal
    active: bool


@dataclass(slots=True)
class _Seller:
    pk: int
    storefront: int
    status: str
    joined: datetime
    owner: int = 0
    owner_female: bool = False
    products: list[_Product] = field(default_factory=list)


@dataclass(slots=True)
class _Buyer:
    user: int
    storefront: int
    joined: datetime
    confirmed_at: datetime | None
    address: str
    female: bool


class _DemoBuilder:
    """Builds the demo world stage by stage. Every value comes from the one generator, so
    the order of the draws below is part of the output: change it and the data changes.
    Rows that have a time are written in time order, so ids grow with time as in real life
    (and SQLite appends to its indexes instead of inserting at random places)."""

    def __init__(self, *, seed: int, scale: float, stdout: TextIO | None) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.stdout = stdout
        self.summary = DemoSummary(created=True)
        salt = "".join(self.rng.choices(string.ascii_letters + string.digits, k=22))
        self.password = make_password(DEMO_PASSWORD, salt=salt)  # hashed once, shared
        self.users = _Table(
            User, "username", "email", "first_name", "last_name", "password", "date_joined",
            with_pk=True,
        )  # fmt: skip
        self.email_counts: dict[str, int] = {}

    def build(self) -> DemoSummary:
        self.storefronts = self._storefronts()
        MarketplaceSettings.load()
        self.shipping = self._shipping_methods()
        self.leaves = self._categories()
        self.sellers = self._companies()
        self._products()
        self.buyers = self._buyers()
        self._orders()
        self.catalogue = self._catalogue()
        self._carts()
        self._views()
        return self.summary

    # --- helpers --------------------------------------------------------------------------
    def _n(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def _say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def _int(self, low: int, high: int) -> int:
        """Like `randint`, several times cheaper (one `random()` call)."""
        return low + int(self.rng.random() * (high - low + 1))

    def _weighted(self, weights: _Weights) -> Any:
        return weights.items[bisect(weights.cumulative, self.rng.random() * weights.total)]

    def _moment(self, start: datetime, end: datetime) -> datetime:
        seconds = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self._int(0, seconds))

    def _days_ago(self, most: float, least: float = 0) -> datetime:
        return self._moment(_BASE - timedelta(days=most), _BASE - timedelta(days=least))

    def _phone(self) -> str:
        return f"+79{self.rng.randrange(10**9):09d}"  # a Russian mobile number, E.164

    def _address(self, city: str) -> str:
        street, house = self.rng.choice(STREETS), self._int(1, 120)
        return f"{city}, {street}, д. {house}, кв. {self._int(1, 300)}"

    def _person(self, domain: str, joined: datetime) -> tuple[int, bool]:
        """Queue a user with a Russian name and an e-mail unique in the demo: (pk, female)."""
        female = self.rng.random() < 0.5
        first, first_lat = self.rng.choice(FIRST_NAMES[Gender.FEMALE if female else Gender.MALE])
        last, last_lat = self.rng.choice(LAST_NAMES)
        if female:
            last, last_lat = last + "а", last_lat + "a"
        address = f"{first_lat}.{last_lat}@{domain}"
        seen = self.email_counts[address] = self.email_counts.get(address, 0) + 1
        # Names hold no digits, so "anna.popova7@..." cannot clash with another name.
        email = address if seen == 1 else f"{first_lat}.{last_lat}{seen}@{domain}"
        pk = self.users.add(email, email, first, last, self.password, joined)
        return pk, female

    # --- reference data -------------------------------------------------------------------
    def _storefronts(self) -> list[int]:
        table = _Table(
            Storefront, "name", "domain", "company_name", "company_email", "admin_email",
            "created_at", with_pk=True,
        )  # fmt: skip
        opened = _BASE - timedelta(days=1000)
        pks = [
            table.add(name, domain, company, f"hello@{domain}", f"admin@{domain}", opened)
            for name, domain, company in STOREFRONTS
        ]
        self.summary.storefronts = table.close()
        return pks

    def _shipping_methods(self) -> dict[str, tuple[int, Decimal]]:
        """code -> (pk, price); methods whose code exists already are reused."""
        codes = [code for code, _name, _price in SHIPPING]
        methods = {m.code: (m.pk, m.price) for m in ShippingMethod.objects.filter(code__in=codes)}
        table = _Table(ShippingMethod, "code", "name", "price", with_pk=True)
        for code, name, price in SHIPPING:
            if code not in methods:
                methods[code] = (table.add(code, name, Decimal(price)), Decimal(price))
        self.summary.shipping_methods = table.close()
        return methods

    def _categories(self) -> list[tuple[int, tuple[int, int], tuple[str, ...]]]:
        """The tree (slugs that exist are reused); returns the leaves as (pk, prices, nouns)."""
        existing = dict(Category.objects.values_list("slug", "pk"))
        table, leaves = _Table(Category, "slug", "name", "parent", with_pk=True), []
        for (root_slug, root_name, prices), children in CATEGORY_TREE:
            root = existing.get(root_slug) or table.add(root_slug, root_name, None)
            for slug, name, nouns in children:
                leaves.append((existing.get(slug) or table.add(slug, name, root), prices, nouns))
        self.summary.categories = table.close()
        return leaves

    # --- sellers and products -------------------------------------------------------------
    def _companies(self) -> list[_Seller]:
        """Companies in mixed statuses (the first of each storefront active), 1-3 staff each."""
        companies = _Table(
            Company, "storefront", "name", "email", "phone", "warehouse_email",
            "warehouse_phone", "status", "created_at", "updated_at", with_pk=True,
        )  # fmt: skip
        staff = _Table(SellerProfile, "user", "company", "is_owner", "created_at")
        used: dict[str, int] = {}
        sellers = []
        for i in range(self._n(50, minimum=len(STOREFRONTS))):
            status = (
                CompanyStatus.ACTIVE if i < len(STOREFRONTS) else self._weighted(_COMPANY_STATUSES)
            )
            storefront = self.storefronts[i % len(STOREFRONTS)]
            seller, domain = self._company(companies, storefront, status, used)
            for n in range(self._int(1, 3)):
                user, female = self._person(domain, seller.joined)
                staff.add(user, seller.pk, n == 0, seller.joined)
                if n == 0:
                    seller.owner, seller.owner_female = user, female
            sellers.append(seller)
        self.summary.companies = companies.close()
        self.users.flush()
        self.summary.seller_users = staff.close()
        self._say(f"sellers: {len(sellers)} companies, {self.summary.seller_users} staff")
        return sellers

    def _company(
        self, table: _Table, storefront: int, status: str, used: dict[str, int]
    ) -> tuple[_Seller, str]:
        """Queue a company with a unique name and mail domain: (seller, domain)."""
        word, word_lat = self.rng.choice(COMPANY_WORDS)
        kind, kind_lat = self.rng.choice(COMPANY_KINDS)
        slug, name = f"{word_lat}-{kind_lat}", f"{word} {kind}"
        seen = used[slug] = used.get(slug, 0) + 1
        if seen > 1:
            slug, name = f"{slug}-{seen}", f"{name} {seen}"
        fresh = status in (CompanyStatus.NEW, CompanyStatus.PENDING)  # not approved yet
        joined = self._days_ago(30, 1) if fresh else self._days_ago(900, 500)
        pk = table.add(
            storefront, f"ООО «{name}»", f"sales@{slug}.example", self._phone(),
            f"sklad@{slug}.example", self._phone(), status, joined, joined,
        )  # fmt: skip
        seller = _Seller(pk=pk, storefront=storefront, status=status, joined=joined)
        return seller, f"{slug}.example"

    def _products(self) -> None:
        """Products of active and disabled companies, at least one each."""
        selling = [
            s for s in self.sellers if s.status in (CompanyStatus.ACTIVE, CompanyStatus.DISABLED)
        ]
        table = _Table(
            Product, "company", "category", "sku", "name", "price", "stock", "is_active",
            "created_at", with_pk=True,
        )  # fmt: skip
        for i in range(self._n(500, minimum=len(selling))):
            seller = selling[i] if i < len(selling) else self.rng.choice(selling)
            leaf, (low, high), nouns = self.rng.choice(self.leaves)
            name = f"{self.rng.choice(nouns)} {self.rng.choice(BRANDS)} {self._int(1, 99)}"
            price = Decimal(self._int(low, high)) - Decimal("0.01")
            stock = 0 if self.rng.random() < 0.1 else self._int(1, 200)
            active = seller.status == CompanyStatus.ACTIVE and self.rng.random() < 0.95
            pk = table.add(
                seller.pk, leaf, f"SKU-{i + 1:06d}", name, price, stock, active,
                self._days_ago(500, 400),
            )  # fmt: skip
            seller.products.append(_Product(pk, name, price, active))
        self.summary.products = table.close()

    # --- buyers ---------------------------------------------------------------------------
    def _buyers(self) -> list[_Buyer]:
        """Pure buyers plus some company owners who also buy; 15 % have not confirmed."""
        total = self._n(2000, minimum=10)
        dual = min(self._n(10), len(self.sellers), total // 2)
        unconfirmed = set(self.rng.sample(range(total - dual), round(total * 0.15)))
        buyers = []
        joins = sorted(self._days_ago(730, 4) for _ in range(total - dual))
        for i, joined in enumerate(joins):
            user, female = self._person(self.rng.choice(BUYER_DOMAINS), joined)
            storefront = self.storefronts[self._weighted(_STOREFRONT_SHARES)]
            buyers.append(
                self._buyer(user, female, storefront, joined, confirmed=i not in unconfirmed)
            )
        for seller in self.rng.sample(self.sellers, dual):
            joined = min(
                seller.joined + timedelta(days=self._int(1, 300)),
                _BASE - timedelta(days=4),
            )
            buyers.append(
                self._buyer(
                    seller.owner, seller.owner_female, seller.storefront, joined, confirmed=True
                )
            )
        self.users.close()
        self._save_buyers(buyers)
        self.summary.buyer_and_seller_users = dual
        self.summary.unconfirmed_buyers = len(unconfirmed)
        self._say(f"buyers: {len(buyers)}")
        return buyers

    def _buyer(
        self, user: int, female: bool, storefront: int, joined: datetime, *, confirmed: bool
    ) -> _Buyer:
        address = self._address(self.rng.choice(CITIES)) if self.rng.random() < 0.8 else ""
        confirmed_at = joined + timedelta(minutes=self._int(2, 4320))
        return _Buyer(
            user, storefront, joined, confirmed_at if confirmed else None, address, female
        )

    def _save_buyers(self, buyers: list[_Buyer]) -> None:
        profiles = _Table(
            BuyerProfile, "user", "storefront", "gender", "city", "phone", "birth_date",
            "delivery_address", "email_confirmed_at", "last_activity_at",
            "preferred_shipping_method", "created_at", "updated_at", with_pk=True,
        )  # fmt: skip
        interests = _Table(BuyerProfile.interests.through, "buyerprofile", "category")
        shipping = (None, *(pk for pk, _price in self.shipping.values()))
        for b in buyers:
            gender = (
                Gender.UNKNOWN
                if self.rng.random() < 0.15
                else (Gender.FEMALE if b.female else Gender.MALE)
            )
            pk = profiles.add(
                b.user, b.storefront, gender,
                b.address.split(",")[0] or self.rng.choice(("", *CITIES)),
                self._phone() if self.rng.random() < 0.75 else "",
                self._birth_date() if self.rng.random() < 0.7 else None,
                b.address, b.confirmed_at, self._moment(b.confirmed_at or b.joined, _BASE),
                self.rng.choice(shipping), b.joined, b.confirmed_at or b.joined,
            )  # fmt: skip
            for leaf, _prices, _nouns in self.rng.sample(self.leaves, self._int(0, 3)):
                interests.add(pk, leaf)
        self.summary.buyers = profiles.close()
        interests.close()

    def _birth_date(self) -> date:
        return date(self._int(1955, 2007), self._int(1, 12), self._int(1, 28))

    # --- orders ---------------------------------------------------------------------------
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

    # --- carts and views ------------------------------------------------------------------
    def _catalogue(self) -> dict[int, list[_Product]]:
        """Active products of active companies, by storefront."""
        catalogue: dict[int, list[_Product]] = {}
        for s in self.sellers:
            if s.status == CompanyStatus.ACTIVE:
                catalogue.setdefault(s.storefront, []).extend(p for p in s.products if p.active)
        return catalogue

    def _carts(self) -> None:
        """Open (not ordered) carts of some buyers, one to four lines each."""
        carts = _Table(Cart, "buyer", "storefront", "created_at", "updated_at", with_pk=True)
        lines = _Table(CartLine, "cart", "product", "quantity", "added_at")
        for buyer in self.rng.sample(self.buyers, min(len(self.buyers), self._n(300))):
            products = self.catalogue.get(buyer.storefront)
            if not products:
                continue
            picks = self.rng.sample(products, min(len(products), self._int(1, 4)))
            start = max(buyer.joined, _BASE - timedelta(days=30))
            moments = [self._moment(start, _BASE - timedelta(hours=2))]
            for _ in picks[1:]:
                moments.append(moments[-1] + timedelta(seconds=self._int(30, 1800)))
            pk = carts.add(buyer.user, buyer.storefront, moments[0], moments[-1])
            for product, added in zip(picks, moments, strict=True):
                lines.add(pk, product.pk, self._weighted(_CART_QUANTITY), added)
        self.summary.carts = carts.close()
        self.summary.cart_lines = lines.close()

    def _views(self) -> None:
        """Product views in the last 60 days, of products on the viewer's storefront."""
        views = []
        for _ in range(self._n(4000)):
            buyer = self.rng.choice(self.buyers)
            products = self.catalogue.get(buyer.storefront)
            if products:
                since = max(buyer.joined, _BASE - timedelta(days=60))
                product = self.rng.choice(products)
                views.append((self._moment(since, _BASE), buyer.user, product.pk))
        views.sort(key=itemgetter(0))
        table = _Table(ProductView, "viewed_at", "buyer", "product")
        for i, view in enumerate(views, 1):
            table.add(*view)
            if i % BATCH_SIZE == 0:
                table.flush()
        self.summary.product_views = table.close()
