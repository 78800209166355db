"""Browser fixtures for every test package: Playwright's sync API driving Debian's Chromium (never downloaded).

Without /usr/bin/chromium the tests are skipped with the reason, except under CI=true, where a
missing browser is a failure. Every page collects console errors; a test ends with none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser, console_errors):
    """A fresh browser page whose console errors and page errors land in `console_errors`."""
    context = browser.new_context(locale="en-US")
    # Browsers ask for /favicon.ico on their own; the project serves none, and the 404 would
    # be reported as a console error that no page caused.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    new_page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    new_page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    yield new_page
    context.close()
