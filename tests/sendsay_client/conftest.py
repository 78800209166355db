"""Fixtures for the Sendsay client tests: a client and an isolated `responses` mock."""

import pytest
import responses

from sendsay_admin.client import SendsayClient

from .support import API_KEY, API_URL, LOGIN, SSEC_URL


@pytest.fixture(autouse=True)
def _fresh_redirect_cache():
    SendsayClient.clear_redirect_cache()
    yield
    SendsayClient.clear_redirect_cache()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client():
    sendsay = SendsayClient(LOGIN, API_KEY, api_url=API_URL, ssec_url=SSEC_URL)
    yield sendsay
    sendsay.close()
