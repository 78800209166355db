"""Settings parsing: the embedded defaults and every environment variable override."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "sendsay_admin" / "settings.py"
VARIABLES = [
    "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_URL", "SECRET_KEY",
    "DEBUG", "ALLOWED_HOSTS", "SECRETS_ENCRYPTION_KEY", "SENDSAY_API_URL", "SENDSAY_SSEC_URL",
    "TIME_ZONE", "LANGUAGE_CODE", "SITE_URL", "DEFAULT_FROM_EMAIL", "LOG_LEVEL",
    "SENDSAY_ROUTE_DJANGO_MAIL", "SENDSAY_FALLBACK_EMAIL_BACKEND",
]


@pytest.fixture
def load(monkeypatch, tmp_path):
    """Evaluate settings.py afresh with only the given variables set."""

    def _load(**variables):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ENV_FILE", str(tmp_path / "absent.env"))
        monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return _load


def test_embedded_defaults_need_no_running_service(load, tmp_path):
    conf = load()
    assert conf["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert conf["DATABASES"]["default"]["NAME"] == str(tmp_path / "var" / "db.sqlite3")
    assert conf["CELERY_BROKER_URL"] == "filesystem://"
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert conf["EMAIL_BACKEND"] == "sendsay_admin.mail.EmailBackend"
    assert conf["SENDSAY_FALLBACK_EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert conf["SENDSAY_API_URL"] == "https://api.sendsay.ru/general/api/v100/json/"
    assert conf["DEBUG"] is True
    assert conf["LANGUAGE_CODE"] == "ru"
    assert conf["TIME_ZONE"] == "Europe/Moscow"
    assert [code for code, _ in conf["LANGUAGES"]] == ["ru", "en"]
    assert conf["SECRETS_ENCRYPTION_KEY"] == conf["DEV_SECRETS_ENCRYPTION_KEY"]
    Fernet(conf["SECRETS_ENCRYPTION_KEY"])  # the default is a usable key


def test_postgres_database_url(load):
    db = load(DATABASE_URL="postgres://app:pw@db.internal:5433/market")["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "market", "app", "pw", "db.internal", 5433,
    )


def test_mysql_database_url_uses_utf8mb4(load):
    db = load(DATABASE_URL="mysql://root@127.0.0.1:3306/test")["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert db["OPTIONS"]["charset"] == "utf8mb4"


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1:5672//"]
)
def test_broker_url_override_drops_filesystem_options(load, url):
    conf = load(CELERY_BROKER_URL=url)
    assert conf["CELERY_BROKER_URL"] == url
    assert "CELERY_BROKER_TRANSPORT_OPTIONS" not in conf


def test_email_url_smtp(load):
    conf = load(EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587")
    assert conf["SENDSAY_FALLBACK_EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (conf["EMAIL_HOST"], conf["EMAIL_PORT"], conf["EMAIL_HOST_USER"]) == (
        "smtp.example.com", 587, "mailer",
    )
    assert conf["EMAIL_USE_TLS"] is True


def test_django_mail_can_bypass_the_module(load):
    conf = load(SENDSAY_ROUTE_DJANGO_MAIL="False", EMAIL_URL="smtp://127.0.0.1:1025")
    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_switches(load):
    key = Fernet.generate_key().decode()
    conf = load(
        DEBUG="False", SECRET_KEY="x" * 60, ALLOWED_HOSTS="a.example.com,b.example.com",
        SECRETS_ENCRYPTION_KEY=key,
    )
    assert conf["DEBUG"] is False
    assert conf["SECRET_KEY"] == "x" * 60
    assert conf["ALLOWED_HOSTS"] == ["a.example.com", "b.example.com"]
    assert conf["SECRETS_ENCRYPTION_KEY"] == key
    assert conf["SECURE_SSL_REDIRECT"] is True
    assert conf["SESSION_COOKIE_SECURE"] is True
    assert conf["SECURE_HSTS_SECONDS"] == 31536000


def test_sendsay_locale_and_site_overrides(load):
    conf = load(
        SENDSAY_API_URL="http://127.0.0.1:8001/general/api/v100/json/",
        SENDSAY_SSEC_URL="http://127.0.0.1:8001/general/ssec/v100/json/",
        TIME_ZONE="Asia/Yekaterinburg", LANGUAGE_CODE="en", SITE_URL="https://shop.example.com",
        DEFAULT_FROM_EMAIL="robot@shop.example.com", LOG_LEVEL="WARNING",
        CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/1",
    )
    assert conf["SENDSAY_API_URL"] == "http://127.0.0.1:8001/general/api/v100/json/"
    assert conf["SENDSAY_SSEC_URL"] == "http://127.0.0.1:8001/general/ssec/v100/json/"
    assert conf["TIME_ZONE"] == conf["CELERY_TIMEZONE"] == "Asia/Yekaterinburg"
    assert conf["LANGUAGE_CODE"] == "en"
    assert conf["SITE_URL"] == "https://shop.example.com"
    assert conf["DEFAULT_FROM_EMAIL"] == "robot@shop.example.com"
    assert conf["LOGGING"]["root"]["level"] == "WARNING"
    assert conf["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/1"


def test_bad_boolean_is_a_clear_error(load):
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        load(DEBUG="perhaps")


def test_every_variable_is_documented_in_env_example():
    documented = (SETTINGS_FILE.parents[1] / ".env.example").read_text()
    source = SETTINGS_FILE.read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+|_bool)?\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'env\.\w+\(\s*\n\s*"([A-Z_]+)"', source))
    missing = sorted(name for name in read if f"{name}=" not in documented)
    assert read and not missing, f"not in .env.example: {missing}"


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin", "DEBUG": "False", "SECRET_KEY": "k" * 20 + "Z9!q" * 10,
        "ALLOWED_HOSTS": "market.example.com", "SECRETS_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ENV_FILE": str(tmp_path / "absent.env"), "VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=SETTINGS_FILE.parents[1], env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
