"""The live progress bar in a real browser: the run list follows a running export through the
progress endpoint, then reloads when it ends."""

import pytest

from contacts.models import ExportRun, RunStatus, RunTrigger
from tests.browser.conftest import browser, console_errors, page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "console_errors", "page"]


def progress_text(page, run, expected: str) -> None:
    page.wait_for_function(
        "([id, expected]) => document.querySelector("
        "`.export-progress[data-run='${id}'] .export-progress-text`)?.textContent === expected",
        arg=[run.pk, expected],
    )


def test_the_progress_bar_follows_a_running_export(page, console_errors, live_server,
                                                  admin_user):
    from sendsay_admin.models import AccountStatus, SendsayAccount

    account = SendsayAccount.objects.create(login="x_live", enabled=True,
                                            status=AccountStatus.CONNECTED, tariff="free",
                                            is_free_plan=True, contacts_limit=200,
                                            contacts_rest=150)
    run = ExportRun.objects.create(account=account, trigger=RunTrigger.ADMIN,
                                   status=RunStatus.RUNNING, total=100, processed=10)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/contacts/exportrun/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    progress_text(page, run, "10 / 100 (10 %)")
    assert "Uploads used: 50 of 200 (25 %)" in page.inner_text(f"#export-budget-{account.pk}")

    ExportRun.objects.filter(pk=run.pk).update(processed=60, uploaded=42)
    progress_text(page, run, "60 / 100 (60 %)")
    assert page.inner_text(".field-uploaded") == "42"
    assert page.eval_on_selector(f".export-progress[data-run='{run.pk}'] progress",
                                 "bar => bar.value") == 60

    ExportRun.objects.filter(pk=run.pk).update(processed=100, status=RunStatus.FINISHED)
    page.wait_for_function(  # the page reloads when the last running export ended
        "id => document.querySelector(`.export-status[data-run='${id}']`)?.textContent"
        " === 'Finished'", arg=run.pk)
    page.wait_for_load_state()
    assert "100 / 100 (100 %)" in page.inner_text(".field-progress")
    assert console_errors == []
