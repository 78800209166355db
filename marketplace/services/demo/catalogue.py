"""Demo stages for the catalogue side: storefronts, shipping, categories, companies, products."""

from datetime import timedelta
from decimal import Decimal

from marketplace.models import (
    Category,
    Company,
    CompanyStatus,
    Product,
    SellerProfile,
    ShippingMethod,
    Storefront,
)

from .base import _Builder, _Product, _Seller
from .vocabulary import (
    _BASE,
    _COMPANY_STATUSES,
    BRANDS,
    CATEGORY_TREE,
    COMPANY_KINDS,
    COMPANY_WORDS,
    SHIPPING,
    STOREFRONTS,
)
from .writer import _Table


class _Catalogue(_Builder):
    """Storefronts, shipping methods and categories (reused when they exist), companies with
    their staff, and the companies' products."""

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
