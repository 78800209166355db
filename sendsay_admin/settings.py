"""Project settings: every knob comes from the environment (django-environ), with embedded defaults.

With nothing set and nothing running the project uses a SQLite file, kombu's filesystem broker
and the console mail backend, so it runs on a fresh machine with only Python. Point
DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL at real services to scale out. Every variable
read here is listed with a comment in `.env.example` and in the README.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: a typo such as DEBUG=Flase is an error, not silently False."""
    value = env.str(name, default=str(default)).strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")
    return value in _TRUE

ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

#: Folder for everything the embedded defaults write (SQLite file, filesystem broker, media).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The development defaults below are deliberately unsafe; `check --deploy` and the
# project's own system checks complain about them when DEBUG is off.
DEV_SECRET_KEY = "django-insecure-dev-only-key-change-me-0123456789abcdefghijklmnop"
DEV_SECRETS_ENCRYPTION_KEY = "ZGV2LW9ubHktZmVybmV0LWtleS1jaGFuZ2UtbWUtISE="

SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

#: Fernet key (urlsafe base64 of 32 bytes) for secrets at rest, such as Sendsay API keys.
SECRETS_ENCRYPTION_KEY = env.str("SECRETS_ENCRYPTION_KEY", default=DEV_SECRETS_ENCRYPTION_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "axes",
    "sendsay_admin",
    "marketplace",
    "notifications",
    "audience",
    "campaigns",
    "chains",
    "journeys",
    "contacts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sendsay_admin.urls"
WSGI_APPLICATION = "sendsay_admin.wsgi.application"
ASGI_APPLICATION = "sendsay_admin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the web process, the worker and beat from tripping over each
    # other's short write locks on the embedded database.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    # A file, not memory, so a Celery worker process in an integration test sees the test data.
    # Named per process so parallel test runs on one checkout do not share a file.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(VAR_DIR / f"test_db_{os.getpid()}.sqlite3")
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    import pymysql  # pure-Python MySQL/MariaDB driver standing in for mysqlclient

    pymysql.install_as_MySQLdb()
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("charset", "utf8mb4")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "marketplace.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "marketplace" / "dashboard" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="RU")

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail (the SMTP fallback path) --------------------------------------------------
_email_config = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email_config)
#: Where mail goes when Sendsay is off or not connected: the backend EMAIL_URL names.
SENDSAY_FALLBACK_EMAIL_BACKEND = env.str(
    "SENDSAY_FALLBACK_EMAIL_BACKEND", default=_email_config["EMAIL_BACKEND"]
)
if env_bool("SENDSAY_ROUTE_DJANGO_MAIL", True):
    # All Django mail (password resets ...) takes the product's mail path: Sendsay when the
    # module is connected and the sender confirmed, otherwise the fallback above.
    EMAIL_BACKEND = "sendsay_admin.mail.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@marketplace.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport, with atomic writes (see sendsay_admin/broker.py).
    CELERY_BROKER_TRANSPORT = "sendsay_admin.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
#: Keep a worker's database connection across tasks (Celery otherwise reconnects per task:
#: 19 ms vs 5 ms per empty task on PostgreSQL, measured in bench/notifications).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
#: Periodic tasks; django-celery-beat copies them into the database, where admins edit them.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "sendsay_admin.tasks.worker_heartbeat", "schedule": 60.0},
    "notifications-sweep": {"task": "notifications.tasks.sweep", "schedule": 30.0},
    "notifications-sync-flush": {"task": "notifications.sync.tasks.flush", "schedule": 10.0},
}

# --- Sendsay --------------------------------------------------------------------------
SENDSAY_API_URL = env.str(
    "SENDSAY_API_URL", default="https://api.sendsay.ru/general/api/v100/json/"
)
SENDSAY_SSEC_URL = env.str(
    "SENDSAY_SSEC_URL", default="https://ssec.sendsay.ru/general/ssec/v100/json/"
)
SENDSAY_TIMEOUT = env.float("SENDSAY_TIMEOUT", default=15.0)

# --- Cache ----------------------------------------------------------------------------
#: Process-local by default. Point CACHE_URL at Redis (redis://host:6379/1) when web and worker
#: processes run apart: delivery tasks are then coalesced (NOTIFICATIONS_COALESCE_TASKS).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
SHARED_CACHE = any(name in CACHES["default"]["BACKEND"].lower() for name in ("redis", "memcache"))

# --- Notifications (outbox delivery) ------------------------------------------------
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=900)
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS = env.int(
    "NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS", default=600
)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", default=60)
NOTIFICATIONS_SWEEP_LIMIT = env.int("NOTIFICATIONS_SWEEP_LIMIT", default=10000)
NOTIFICATIONS_CELERY_QUEUE = env.str("NOTIFICATIONS_CELERY_QUEUE", default="") or None
#: Emits share the delivery tasks already waiting instead of adding one each (needs a shared
#: cache: on by default with one); at most this many such tasks wait at once.
NOTIFICATIONS_COALESCE_TASKS = env_bool("NOTIFICATIONS_COALESCE_TASKS", SHARED_CACHE)
NOTIFICATIONS_WAITING_TASKS = env.int("NOTIFICATIONS_WAITING_TASKS", default=4)
NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE_DAYS = env.int(
    "NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE_DAYS", default=90
)

#: Sync of profiles and e-commerce events to Sendsay (through the sync outbox).
NOTIFICATIONS_SYNC_ENABLED = env_bool("NOTIFICATIONS_SYNC_ENABLED", True)
NOTIFICATIONS_SYNC_DELAY_SECONDS = env.int("NOTIFICATIONS_SYNC_DELAY_SECONDS", default=10)
NOTIFICATIONS_SYNC_BATCH_SIZE = env.int("NOTIFICATIONS_SYNC_BATCH_SIZE", default=100)
NOTIFICATIONS_SYNC_FLUSH_LIMIT = env.int("NOTIFICATIONS_SYNC_FLUSH_LIMIT", default=10000)

# --- Signed links ---------------------------------------------------------------------
#: Public base URL of the site, used to build absolute links in messages.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SIGNED_LINK_MAX_AGE_DAYS = env.int("SIGNED_LINK_MAX_AGE_DAYS", default=14)

# --- Login throttling (django-axes) ---------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_TIME_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "dashboard/registration/lockout.html"

# --- Security (production) ------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_BEHIND_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

LOGIN_URL = "admin:login"
