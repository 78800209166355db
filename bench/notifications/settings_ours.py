"""Settings of the engine's side of the benchmark: the project's settings as they are, except
the Sendsay sync outbox (`notifications.sync`), which is off unless BENCH_SYNC=true: it is a
separate pipeline (one more task per order) and this benchmark times message delivery."""

from sendsay_admin.settings import *  # noqa: F403
from sendsay_admin.settings import env, env_bool

NOTIFICATIONS_SYNC_ENABLED = env_bool("BENCH_SYNC", False)
# Celery's Django fix-up closes the database connection around every task unless this is set
# (it then closes it every 2 x 1000 tasks): without it each task opens a PostgreSQL
# connection, 10-20 ms on this machine. The project's settings do not set it (yet).
CELERY_DB_REUSE_MAX = env.int("BENCH_CELERY_DB_REUSE_MAX", default=1000) or None
