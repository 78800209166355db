"""The live count in a real browser: editing the unsaved segment form updates the count."""

import pytest

from tests.audience.conftest import BUYERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def count(page, expected: str) -> None:
    page.wait_for_function(
        "expected => document.querySelector('.segment-count-value').textContent === expected",
        arg=expected,
    )


def test_count_follows_the_edits(page, console_errors, live_server, admin_user, buyers, world):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/audience/segment/add/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#segment-live-count")
    count(page, str(len(BUYERS)))

    page.select_option("#id_gender", "f")
    count(page, "3")
    page.fill("#id_age_min", "20")
    count(page, "2")  # anna 33, zoya 28; vera is 18
    page.check(f"input[name=storefronts][value='{world.storefront_b.pk}']")
    count(page, "1")  # zoya
    page.fill("#id_age_max", "10")
    count(page, "–")
    assert "must not exceed" in page.inner_text(".segment-count-note")
    page.fill("#id_age_max", "")
    count(page, "1")
    assert console_errors == []
