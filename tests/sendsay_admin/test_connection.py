"""The connection check against the real emulator: stored results, errors, module state."""

import pytest

from sendsay_admin.models import AccountStatus, SendsayAccount, SendsayErrorLog
from sendsay_admin.services import (
    account_for_storefront,
    account_save_credentials,
    account_set_enabled,
    connection_check,
    module_is_active,
    plan_is_free,
)
from tests.sendsay_admin.conftest import API_KEY, LOGIN, WRONG_KEY

pytestmark = pytest.mark.django_db


def test_check_stores_name_tariff_limits_and_time(sendsay_account):
    result = connection_check(account=sendsay_account)
    assert result.ok
    account = SendsayAccount.objects.get(pk=sendsay_account.pk)
    assert account.status == AccountStatus.CONNECTED
    assert account.account_name == LOGIN
    assert account.tariff == "free"
    assert account.is_free_plan
    assert (account.contacts_limit, account.contacts_rest) == (200, 200)
    assert account.checked_at is not None


def test_wrong_key_is_stored_as_sendsays_error_and_not_raised(sendsay_account):
    account_save_credentials(account=sendsay_account, login=LOGIN, api_key=WRONG_KEY)
    result = connection_check(account=sendsay_account)
    assert not result.ok
    assert (result.error_id, result.explain) == ("error/auth/failed", "wrong_credentials")
    account = SendsayAccount.objects.get(pk=sendsay_account.pk)
    assert account.status == AccountStatus.FAILING
    assert account.last_error_id == "error/auth/failed"
    assert "wrong_credentials" in account.last_error
    log = SendsayErrorLog.objects.get(account=account)
    assert (log.action, log.error_id, log.explain) == ("pong", "error/auth/failed",
                                                       "wrong_credentials")


def test_http_5xx_from_sendsay_marks_the_account_failing(sendsay_account, sendsay_emulator):
    sendsay_emulator.control("fault", mode="http", status=503, count=1)
    result = connection_check(account=sendsay_account)
    assert not result.ok
    assert sendsay_account.status == AccountStatus.FAILING
    assert SendsayErrorLog.objects.filter(account=sendsay_account).count() == 1


def test_account_without_a_key_is_not_configured(db):
    account = account_save_credentials(account=SendsayAccount(), login=LOGIN)
    result = connection_check(account=account)
    assert (result.ok, result.error_id) == (False, "not_configured")
    assert account.state == AccountStatus.NOT_CONFIGURED


def test_module_is_active_only_when_enabled_and_connected(sendsay_account):
    assert not module_is_active()
    connection_check(account=sendsay_account)
    assert not module_is_active()  # connected but disabled
    assert sendsay_account.state == AccountStatus.DISABLED
    account_set_enabled(account=sendsay_account, enabled=True)
    assert module_is_active()
    account_save_credentials(account=sendsay_account, login=LOGIN, api_key=WRONG_KEY)
    connection_check(account=sendsay_account)
    assert not module_is_active()


def test_new_credentials_need_a_new_check(connected_account):
    account_save_credentials(account=connected_account, login=LOGIN, api_key=API_KEY)
    assert connected_account.state == AccountStatus.NOT_CONFIGURED
    account_save_credentials(account=connected_account, login=LOGIN)  # blank key keeps it
    assert connected_account.api_key == API_KEY


def test_storefront_uses_its_own_account_or_the_marketplace_one(sendsay_account, storefront):
    assert account_for_storefront(storefront) == sendsay_account
    own = account_save_credentials(account=SendsayAccount(storefront=storefront), login="x_own",
                                   api_key="other-key")
    assert account_for_storefront(storefront) == own
    assert account_for_storefront(None) == sendsay_account


def test_only_one_account_per_scope(sendsay_account, storefront):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SendsayAccount(login="again").validate_constraints()
    SendsayAccount.objects.create(storefront=storefront, login="a")
    with pytest.raises(ValidationError):
        SendsayAccount(storefront=storefront, login="b").validate_constraints()


@pytest.mark.parametrize(("tariff", "limit", "free"), [
    ("free", 200, True), ("Пробный", None, True), ("paid", 1_000_000, False), ("Pro", 200, True),
])
def test_free_plan_detection(tariff, limit, free):
    assert plan_is_free(tariff, limit) is free


def test_paid_emulator_account_is_not_free(db, sendsay_emulator):
    sendsay_emulator.control("add_account", login="x_paid", apikey="paid-key", tariff="paid")
    account = account_save_credentials(account=SendsayAccount(), login="x_paid",
                                       api_key="paid-key")
    assert connection_check(account=account).ok
    assert (account.tariff, account.is_free_plan) == ("paid", False)


def test_changed_encryption_key_is_reported_not_raised(sendsay_account, settings):
    from cryptography.fernet import Fernet

    settings.SECRETS_ENCRYPTION_KEY = Fernet.generate_key().decode()
    result = connection_check(account=sendsay_account)
    assert (result.ok, result.error_id) == (False, "configuration")
    assert "Enter the API key again" in result.message
    assert sendsay_account.status == AccountStatus.FAILING
