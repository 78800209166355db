"""Vendor dashboard sign-in: login and logout, password reset by e-mail through a real SMTP
sink, and django-axes throttling of failed logins (Django test client)."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
LOCKOUT_TEMPLATE = "dashboard/registration/lockout.html"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def login(client, username, password, **extra):
    return client.post(reverse("dashboard:login"), {"username": username, "password": password},
                       **extra)


def test_login_page_renders_with_a_reset_link(client):
    response = client.get(reverse("dashboard:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_username"' in html and 'name="csrfmiddlewaretoken"' in html
    assert reverse("dashboard:password_reset") in html


def test_seller_signs_in_and_lands_on_the_overview(client, seller):
    response = login(client, seller.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:overview")
    assert client.get(reverse("dashboard:overview")).status_code == 200


def test_login_follows_a_safe_next_and_ignores_a_foreign_one(client, seller):
    inside = client.post(
        reverse("dashboard:login"),
        {"username": seller.username, "password": PASSWORD, "next": "/vendor/orders/"},
    )
    client.logout()
    outside = client.post(
        reverse("dashboard:login"),
        {"username": seller.username, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert inside["Location"] == "/vendor/orders/"
    assert outside["Location"] == reverse("dashboard:overview")


def test_wrong_password_is_refused(client, seller):
    response = login(client, seller.username, "wrong")

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_a_buyer_cannot_sign_in_to_the_dashboard(client, buyer):
    response = login(client, buyer.username, PASSWORD)

    assert response.status_code == 200
    assert b"does not belong to a seller" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only_and_signs_out(client, seller):
    client.force_login(seller)

    assert client.get(reverse("dashboard:logout")).status_code == 405
    response = client.post(reverse("dashboard:logout"))

    assert response.status_code == 302 and response["Location"] == reverse("dashboard:login")
    assert client.get(reverse("dashboard:overview")).status_code == 302


def test_password_reset_by_email_end_to_end(client, seller, smtp_sink):
    storefront = seller.seller_profile.company.storefront
    response = client.post(reverse("dashboard:password_reset"), {"email": seller.email.upper()})

    assert response["Location"] == reverse("dashboard:password_reset_done")
    [received] = smtp_sink.wait_for(1)
    assert received.rcpt_tos == [seller.email]
    assert received.mail_from == storefront.company_email
    assert storefront.name in received.subject
    body = received.message.get_content()
    link = re.search(r"http://testserver(/vendor/password-reset/[^/]+/[^/]+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert b'id="password-set-form"' in form_page.content
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": "A new long passphrase 42", "new_password2":
                        "A new long passphrase 42"})
    assert done["Location"] == reverse("dashboard:password_reset_complete")
    assert client.get(done["Location"]).status_code == 200
    assert login(client, seller.username, "A new long passphrase 42").status_code == 302
    again = client.get(link)
    assert b"This link no longer works" in again.content


@pytest.mark.parametrize("who", ["buyer", "nobody"])
def test_password_reset_sends_nothing_to_non_sellers(client, buyer, smtp_sink, who):
    email = buyer.email if who == "buyer" else "nobody@example.org"

    response = client.post(reverse("dashboard:password_reset"), {"email": email}, follow=True)

    assert b"Check your mail" in response.content
    assert smtp_sink.messages == []


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done",
                                  "password_reset_complete"])
def test_password_reset_pages_render_for_anonymous_visitors(client, name):
    assert client.get(reverse(f"dashboard:{name}")).status_code == 200


def test_axes_locks_out_after_five_failures_with_a_clear_page(client, seller, settings):
    settings.AXES_LOCKOUT_TEMPLATE = LOCKOUT_TEMPLATE  # the settings line this page needs
    assert settings.AXES_FAILURE_LIMIT == 5

    statuses = [login(client, seller.username, f"wrong {n}").status_code for n in range(4)]
    fifth = login(client, seller.username, "wrong 4")
    right = login(client, seller.username, PASSWORD)

    assert statuses == [200] * 4
    assert fifth.status_code == 429
    assert right.status_code == 429
    assert b"Too many failed sign-in attempts" in right.content
    assert b"after 5 failed attempts" in right.content
    assert "_auth_user_id" not in client.session
    other = factories.SellerProfileFactory().user
    assert login(client, other.username, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_axes_lockout_page_renders_on_its_own(client):
    from django.template.loader import render_to_string

    html = render_to_string(LOCKOUT_TEMPLATE, {"failure_limit": 5})

    assert "Too many failed sign-in attempts" in html
