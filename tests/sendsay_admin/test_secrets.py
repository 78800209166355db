"""The API key is in no page, no log line and no database column in clear."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from sendsay_admin.services import connection_check, support_report
from tests.sendsay_admin.conftest import API_KEY, LOGIN

pytestmark = pytest.mark.django_db


def account_url(name, account):
    return reverse(f"admin:sendsay_admin_sendsayaccount_{name}", args=[account.pk])


def walk_every_screen(client, account, buyer):
    """Use every Sendsay admin screen once (saving the key through the form) and return the
    HTML of every page rendered on the way."""
    add = reverse("admin:sendsay_admin_sendsayaccount_add")
    pages = [client.post(add, {"login": "bad login", "api_key": API_KEY})]  # form re-rendered
    pages.append(client.post(account_url("change", account), {"login": LOGIN, "api_key": API_KEY},
                             follow=True))
    pages.append(client.post(account_url("toggle", account), {"enabled": "1"}, follow=True))
    pages.append(client.post(account_url("check", account), follow=True))
    pages.append(client.post(account_url("mapping", account),
                             {"map:buyer:city": "base.city"}, follow=True))
    pages.append(client.post(account_url("senders", account), {"action": "refresh"},
                             follow=True))
    for path in [
        reverse("admin:index"),
        reverse("admin:sendsay_admin_sendsayaccount_changelist"),
        add,
        account_url("change", account),
        account_url("history", account),
        account_url("mapping", account) + f"?buyer={buyer.email}",
        account_url("senders", account),
        account_url("support", account),
        reverse("admin:sendsay_admin_sendsayerrorlog_changelist"),
    ]:
        pages.append(client.get(path))
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
    return [response.content.decode() for response in pages]


def test_key_is_in_no_page(admin_client, sendsay_account, buyer):
    html = walk_every_screen(admin_client, sendsay_account, buyer)
    assert len(html) == 15
    assert all(API_KEY not in text for text in html)
    assert "a key is stored (never shown)" in html[-6]


def test_key_is_in_no_log_line(admin_client, sendsay_account, buyer, caplog):
    caplog.set_level(logging.DEBUG)
    walk_every_screen(admin_client, sendsay_account, buyer)
    connection_check(account=sendsay_account)
    assert caplog.records, "the walk should have logged something"
    assert "sendsay" in caplog.text
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)
    assert API_KEY not in caplog.text


def test_key_is_in_no_database_column_in_clear(admin_client, sendsay_account, buyer):
    walk_every_screen(admin_client, sendsay_account, buyer)
    sendsay_account.refresh_from_db()
    assert sendsay_account.api_key == API_KEY  # stored, but only as ciphertext
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # every table, every column
            for row in cursor.fetchall():
                assert API_KEY not in repr(row), table
            cursor.execute('SELECT "api_key_encrypted" FROM "sendsay_admin_sendsayaccount"')
            assert all(value and API_KEY not in value for (value,) in cursor.fetchall())


def test_support_report_has_login_and_error_ids_but_not_the_key(sendsay_account,
                                                                sendsay_emulator):
    sendsay_emulator.control("fault", mode="error", action="pong", error_id="error/x/broken",
                             explain="boom", count=1)
    connection_check(account=sendsay_account)
    report = support_report(account=sendsay_account)
    assert f"API login: {LOGIN}" in report
    assert "the module works through the Sendsay API" in report
    assert "Module: sendsay-admin 0.1.0" in report
    assert "pong: error/x/broken (boom)" in report
    assert report.rstrip().endswith("Situation:")
    assert API_KEY not in report and sendsay_account.api_key_encrypted not in report
