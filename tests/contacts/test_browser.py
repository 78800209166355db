"""The live progress bar in Chromium: the run list follows a running export through the progress
endpoint, then reloads when it ends."""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from contacts.models import ExportRun, RunStatus, RunTrigger
from tests.services import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(live_server, user, steps) -> list[str]:
    """Run `steps(page)` logged in as `user`, in a thread of its own (Playwright's sync API
    refuses a thread whose event loop runs, as tests/browser's session fixture keeps one);
    return the page errors."""
    require(CHROMIUM is not None, "the system Chromium is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value

    def run() -> list[str]:
        errors: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(locale="en-US")
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
            context.add_cookies([{"name": "sessionid", "value": session,
                                  "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
            try:
                steps(page)
            finally:
                browser.close()
        return errors

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def in_db(update) -> None:
    """Run an ORM call from a plain thread (the browser thread runs an event loop)."""

    def run() -> None:
        try:
            update()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def wait_text(page, selector: str, expected: str) -> None:
    page.wait_for_function(
        "([selector, expected]) => document.querySelector(selector)?.textContent === expected",
        arg=[selector, expected])


def test_the_progress_bar_follows_a_running_export(live_server, admin_user):
    from sendsay_admin.models import AccountStatus, SendsayAccount

    account = SendsayAccount.objects.create(login="x_live", enabled=True,
                                            status=AccountStatus.CONNECTED, tariff="free",
                                            is_free_plan=True, contacts_limit=200,
                                            contacts_rest=150)
    run = ExportRun.objects.create(account=account, trigger=RunTrigger.ADMIN,
                                   status=RunStatus.RUNNING, total=100, processed=10)
    text = f".export-progress[data-run='{run.pk}'] .export-progress-text"
    seen = {}

    def steps(page) -> None:
        page.goto(f"{live_server.url}/admin/contacts/exportrun/")
        wait_text(page, text, "10 / 100 (10 %)")
        seen["budget"] = page.inner_text(f"#export-budget-{account.pk}")
        in_db(lambda: ExportRun.objects.filter(pk=run.pk).update(processed=60, uploaded=42))
        wait_text(page, text, "60 / 100 (60 %)")
        seen["uploaded"] = page.inner_text(".field-uploaded")
        seen["bar"] = page.eval_on_selector(f".export-progress[data-run='{run.pk}'] progress",
                                            "bar => bar.value")
        in_db(lambda: ExportRun.objects.filter(pk=run.pk).update(
            processed=100, status=RunStatus.FINISHED))
        # The page reloads once the last running export has ended.
        wait_text(page, f".export-status[data-run='{run.pk}']", "Finished")
        page.wait_for_load_state()
        seen["final"] = page.inner_text(".field-progress")

    errors = in_browser(live_server, admin_user, steps)

    assert "Uploads used: 50 of 200 (25 %)" in seen["budget"]
    assert (seen["uploaded"], seen["bar"]) == ("42", 60)
    assert "100 / 100 (100 %)" in seen["final"]
    assert errors == []
