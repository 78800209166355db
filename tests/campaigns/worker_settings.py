"""Settings of the Celery worker processes the campaign integration tests start: the test
run's own settings module plus the campaign knobs the test passes in the environment."""

import importlib
import os

_base = importlib.import_module(
    os.environ.get("CAMPAIGNS_TEST_BASE_SETTINGS", "sendsay_admin.settings"))
globals().update({name: getattr(_base, name) for name in dir(_base) if name.isupper()})

CAMPAIGNS_LEASE_SECONDS = float(os.environ.get("CAMPAIGNS_LEASE_SECONDS", "300"))
CAMPAIGNS_CELERY_QUEUE = os.environ.get("CAMPAIGNS_CELERY_QUEUE") or None
CAMPAIGNS_BATCH_SIZE = int(os.environ.get("CAMPAIGNS_BATCH_SIZE", "100"))
CAMPAIGNS_CONFIRM_EVERY = int(os.environ.get("CAMPAIGNS_CONFIRM_EVERY", "1"))
