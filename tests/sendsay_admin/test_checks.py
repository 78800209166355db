"""System checks: each warning fires on its condition and a fresh empty database reports none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sendsay_admin import checks
from sendsay_admin.models import SenderAddress, SendsayAccount
from tests.sendsay_admin.conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.django_db
def test_enabled_without_a_key_warns():
    SendsayAccount.objects.create(login="x_login", enabled=True)
    assert "sendsay_admin.W001" in ids(checks.check_enabled_accounts())


@pytest.mark.django_db
def test_enabled_without_a_confirmed_sender_warns(sendsay_account):
    assert checks.check_enabled_accounts() == []  # disabled: nothing to say
    sendsay_account.enabled = True
    sendsay_account.save()
    assert ids(checks.check_enabled_accounts()) == ["sendsay_admin.W002"]
    SenderAddress.objects.create(email="news@shop.example", confirmed_in_sendsay=True)
    assert checks.check_enabled_accounts() == []
    assert sendsay_account.api_key == API_KEY


@pytest.mark.parametrize("backend", [
    "anymail.backends.sendgrid.EmailBackend", "anymail.backends.mailgun.EmailBackend",
    "django_ses.SESBackend", "postmarker.django.EmailBackend",
])
def test_email_backend_of_another_provider_warns(settings, backend):
    settings.EMAIL_BACKEND = backend
    assert ids(checks.check_email_backend()) == ["sendsay_admin.W003"]


@pytest.mark.parametrize("backend", [
    "django.core.mail.backends.smtp.EmailBackend", "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend", "sendsay_admin.mail.EmailBackend",
])
def test_own_and_django_backends_do_not_warn(settings, backend):
    settings.EMAIL_BACKEND = backend
    assert checks.check_email_backend() == []


def test_default_encryption_key_with_debug_off_warns(settings):
    settings.SECRETS_ENCRYPTION_KEY = settings.DEV_SECRETS_ENCRYPTION_KEY
    settings.DEBUG = True
    assert checks.check_encryption_key() == []
    settings.DEBUG = False
    assert ids(checks.check_encryption_key()) == ["sendsay_admin.W004"]
    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert checks.check_encryption_key() == []


def test_malformed_encryption_key_is_an_error(settings):
    settings.SECRETS_ENCRYPTION_KEY = "definitely-not-fernet"
    messages = checks.check_encryption_key()
    assert ids(messages) == ["sendsay_admin.E001"]
    assert "definitely-not-fernet" not in messages[0].msg


def run_check(tmp_path, **env) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items()
                 if k not in ("SECRETS_ENCRYPTION_KEY", "EMAIL_URL", "DEBUG",
                              "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment = {**inherited, "VAR_DIR": str(tmp_path), "ENV_FILE": str(tmp_path / "none"),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_on_a_fresh_empty_database_reports_nothing_of_ours(tmp_path):
    result = run_check(tmp_path, SECRETS_ENCRYPTION_KEY=Fernet.generate_key().decode(),
                       DEBUG="false")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "sendsay_admin." not in output
    assert "Traceback" not in output


def test_check_deploy_reports_the_default_key_with_debug_off(tmp_path):
    result = run_check(tmp_path, DEBUG="false")
    output = result.stdout + result.stderr
    assert "sendsay_admin.W004" in output
    assert "Traceback" not in output
