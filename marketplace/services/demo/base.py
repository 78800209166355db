"""The demo builder's shared state, its random draws and the in-memory records of rows."""

import random
import string
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password

from marketplace.models import Gender, User

from .summary import DemoSummary
from .vocabulary import _BASE, DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES, STREETS, _Weights
from .writer import _Table


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


class _Builder:
    """What every stage of the demo builder shares: the one random generator, the summary,
    the users table and the draws built on the generator. The stages (catalogue, people,
    orders, activity) are mixins of this class, combined in `seed._DemoBuilder`."""

    # Set by the stages, in `build` order.
    storefronts: list[int]
    shipping: dict[str, tuple[int, Decimal]]
    leaves: list[tuple[int, tuple[int, int], tuple[str, ...]]]
    sellers: list[_Seller]
    buyers: list[_Buyer]
    catalogue: dict[int, list[_Product]]

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
