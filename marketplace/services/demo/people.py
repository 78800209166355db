"""Demo stage for buyers: their users, profiles and interests, some of them company owners."""

from datetime import date, datetime, timedelta

from marketplace.models import BuyerProfile, Gender

from .base import _Builder, _Buyer
from .vocabulary import _BASE, _STOREFRONT_SHARES, BUYER_DOMAINS, CITIES
from .writer import _Table


class _People(_Builder):
    """Buyers, after the companies: some company owners buy too."""

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
