"""The event catalogue is consistent and every template it needs ships in Russian and English."""

import pytest

from notifications.events import EVENTS, Category, Channel, Role, event_spec, template_keys
from notifications.exceptions import UnknownEventError
from notifications.payloads import SECTIONS
from notifications.rendering import TEMPLATE_ROOT, template_name

REQUIRED = {"buyer.registered", "buyer.email_confirmation", "order.placed",
            "order.status_changed", "seller.registered"}


def test_catalogue_has_the_required_events_with_their_roles():
    assert set(EVENTS) >= REQUIRED
    assert set(EVENTS["order.placed"].roles_for("")) == {Role.BUYER, Role.SELLER, Role.ADMIN}
    status = EVENTS["order.status_changed"]
    assert set(status.variants) == {"confirmed", "handed_to_carrier", "arrived_in_city",
                                    "at_pickup_point", "delivered", "cancelled"}
    assert status.roles_for("confirmed") == [Role.BUYER]
    assert set(status.roles_for("cancelled")) == {Role.BUYER, Role.SELLER}


def test_every_event_is_well_formed():
    for name, spec in EVENTS.items():
        assert spec.name == name and name == name.lower() and "." in name
        assert spec.category in Category.values
        for role, audience in spec.audiences.items():
            assert role in Role.values
            assert audience.channels and set(audience.channels) <= set(Channel)
            if audience.variants is not None:
                assert audience.variants <= set(spec.variants)
        assert set(spec.occurrence) <= set(spec.data) | {"order", "user", "company", "status"}


def test_unknown_event_is_a_loud_error():
    with pytest.raises(UnknownEventError, match=r"order\.plcaed"):
        event_spec("order.plcaed")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_template_key_has_its_default_files(language):
    missing = []
    for event, role, channel, variant in template_keys():
        parts = ("subject.txt", "html", "txt") if channel == Channel.EMAIL else ("txt",)
        for part in parts:
            path = TEMPLATE_ROOT / template_name(event, role, channel, variant, language, part)
            if not path.is_file():
                missing.append(str(path.relative_to(TEMPLATE_ROOT)))
    assert missing == []


def test_data_keys_are_sections_or_caller_values():
    for spec in EVENTS.values():
        for key in spec.data:
            assert key in SECTIONS or key.isidentifier()
