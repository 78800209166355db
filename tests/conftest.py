"""Shared fixtures: domain objects, an SMTP sink and service discovery for integration tests."""

import pytest

from tests import factories

# One definition of the session-wide browser: a second Playwright sync instance in the same
# thread fails ("Sync API inside the asyncio loop"), so no test module may import its own.
pytest_plugins = ["tests.browser_fixtures"]


@pytest.fixture
def storefront(db):
    return factories.StorefrontFactory()


@pytest.fixture
def buyer(storefront):
    """A confirmed buyer (a User with a BuyerProfile) on `storefront`."""
    return factories.BuyerProfileFactory(storefront=storefront).user


@pytest.fixture
def company(storefront):
    return factories.CompanyFactory(storefront=storefront)


@pytest.fixture
def seller(company):
    """A seller staff user of `company`."""
    return factories.SellerProfileFactory(company=company).user


@pytest.fixture
def shipping_method(db):
    return factories.ShippingMethodFactory()


@pytest.fixture
def product(company):
    return factories.ProductFactory(company=company)


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free port; Django's mail goes to it for this test."""
    from sendsay_admin.devtools.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.SENDSAY_FALLBACK_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture
def marketplace(db):
    """The marketplace-wide addresses: admin copies, quality and warehouse mail use them."""
    from marketplace.models import MarketplaceSettings

    row = MarketplaceSettings.load()
    row.all_storefronts_email = "all@market.example.ru"
    row.quality_email = "quality@market.example.ru"
    row.save()
    return row


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hash test passwords with MD5: the default PBKDF2 makes factories ~15x slower."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
