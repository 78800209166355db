"""`manage.py seed_demo`: fill an empty database with the deterministic demo marketplace."""

import math
import time

from django.core.management.base import BaseCommand, CommandError

from marketplace.services.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: storefronts, sellers, buyers, products, orders with "
        "their history, carts and product views. Does nothing when the demo data is already "
        "there, whatever seed made it (start from an empty database to change the seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size factor: 1 is about 2,000 buyers and 5,000 orders (default 1).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Also do nothing when the database holds any storefront, company or buyer.",
        )

    def handle(self, *args, seed: int, scale: float, if_empty: bool, verbosity: int, **options):
        if not (math.isfinite(scale) and scale > 0):
            raise CommandError(f"--scale must be a positive number, not {scale!r}.")
        started = time.perf_counter()
        summary = demo_seed(
            seed=seed,
            scale=scale,
            only_if_empty=if_empty,
            stdout=self.stdout if verbosity > 1 else None,
        )
        elapsed = time.perf_counter() - started
        if not summary.created:
            self.stdout.write(summary.message)
            return
        self.stdout.write(self.style.SUCCESS(f"{summary.message} in {elapsed:.1f} s:"))
        for name, count in summary.counts().items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {count:,}")
        self.stdout.write(f"Demo users log in with their e-mail and password {DEMO_PASSWORD!r}.")
