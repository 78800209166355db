"""Demo stages for buyer activity besides orders: open carts and product views."""

from datetime import timedelta
from operator import itemgetter

from marketplace.models import Cart, CartLine, CompanyStatus, ProductView

from .base import _Builder, _Product
from .vocabulary import _BASE, _CART_QUANTITY
from .writer import BATCH_SIZE, _Table


class _Activity(_Builder):
    """Open carts and product views, of active products on the buyer's storefront."""

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
