"""Settings of the django-post-office side of the benchmark: the project's settings plus the
app, on a database of its own (`bench_post_office`), its Celery task on the benchmark queue."""

from sendsay_admin.settings import *  # noqa: F403
from sendsay_admin.settings import INSTALLED_APPS, env

INSTALLED_APPS = [*INSTALLED_APPS, "post_office"]

DATABASES = {
    "default": env.db_url(
        "BENCH_POST_OFFICE_DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/bench_post_office",
    ),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)

# Its documented set-up: queue with `mail.send` / `send_many`; with CELERY_ENABLED the queued
# signal starts `post_office.tasks.send_queued_mail` after commit, which sends batch by batch
# (BATCH_SIZE, default 100) under a file lock, THREADS_PER_PROCESS (default 5) connections.
POST_OFFICE = {
    "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    "CELERY_ENABLED": True,
    "DEFAULT_PRIORITY": "medium",
}
# post-office's sending lock: a file of this name in the temporary folder.
POST_OFFICE["LOCK_FILE_NAME"] = "bench-post-office"
CELERY_TASK_ROUTES = {
    "post_office.tasks.*": {"queue": env.str("BENCH_POST_OFFICE_QUEUE", default="bench-po")},
}
# As on the engine's side (settings_ours): keep database connections across tasks.
CELERY_DB_REUSE_MAX = env.int("BENCH_CELERY_DB_REUSE_MAX", default=1000) or None
