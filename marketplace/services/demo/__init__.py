"""Deterministic demo data for the marketplace (`manage.py seed_demo`).

`demo_seed` draws every value from one `random.Random(seed)` and dates everything from the
fixed moment `BASE_TIME`, never from `now()`: the same seed and scale on an empty database
always give the same rows, primary keys included. It writes in batches, in one transaction.

Modules: `vocabulary` (fixed data), `writer` (the row writer), `base` (shared state and
draws), the stages `catalogue`, `people`, `orders` and `activity`, and `seed` (the entry
point, which runs the stages in order). The bootstrap superuser is in `services.accounts`.
"""

from .seed import demo_seed
from .summary import DemoSummary
from .vocabulary import BASE_TIME, DEMO_DOMAINS, DEMO_PASSWORD
from .writer import BATCH_SIZE

__all__ = ["BASE_TIME", "BATCH_SIZE", "DEMO_DOMAINS", "DEMO_PASSWORD", "DemoSummary", "demo_seed"]
