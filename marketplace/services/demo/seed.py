"""`demo_seed`: check that the demo is not there yet, then build it stage by stage."""

from typing import TextIO

from django.db import transaction

from marketplace.models import BuyerProfile, Company, MarketplaceSettings, Storefront

from .activity import _Activity
from .catalogue import _Catalogue
from .orders import _Orders
from .people import _People
from .summary import DemoSummary
from .vocabulary import DEMO_DOMAINS


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


def _skip_reason(*, only_if_empty: bool) -> str:
    if Storefront.objects.filter(domain__in=DEMO_DOMAINS).exists():
        return "demo data already present, nothing to do"
    if only_if_empty and (
        Storefront.objects.exists() or Company.objects.exists() or BuyerProfile.objects.exists()
    ):
        return "the database already holds marketplace data, nothing to do"
    return ""


class _DemoBuilder(_Catalogue, _People, _Orders, _Activity):
    """Builds the demo world stage by stage. Every value comes from the one generator, so
    the order of the draws, here and in every stage, is part of the output: change it and
    the data changes.
    Rows that have a time are written in time order, so ids grow with time as in real life
    (and SQLite appends to its indexes instead of inserting at random places)."""

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
