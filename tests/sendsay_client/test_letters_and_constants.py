"""Letter builders and the constant tables."""

import pytest

from sendsay_admin.client import (
    CHANNEL_MESSAGE_KEYS,
    SSEC_EVENT_AREAS,
    AddrType,
    SsecEventType,
    TrackStatus,
    letter_draft,
    letter_inline,
    letter_message,
)


def test_letter_inline_full():
    assert letter_inline("Hi", "<b>Hi</b>", "Hi", "shop@shop.example", "Shop") == {
        "subject": "Hi",
        "from.email": "shop@shop.example",
        "from.name": "Shop",
        "message": {"html": "<b>Hi</b>", "text": "Hi"},
    }


def test_letter_inline_leaves_out_empty_parts():
    assert letter_inline("Hi", "", "plain", "shop@shop.example") == {
        "subject": "Hi",
        "from.email": "shop@shop.example",
        "message": {"text": "plain"},
    }


@pytest.mark.parametrize("args", [("Hi", "", "", "shop@shop.example"), ("Hi", "<b>x</b>", "x", "")])
def test_letter_inline_refuses_unsendable_letters(args):
    with pytest.raises(ValueError):
        letter_inline(*args)


def test_letter_draft():
    assert letter_draft(12) == {"draft.id": 12}
    with pytest.raises(ValueError):
        letter_draft("")


@pytest.mark.parametrize(
    ("channel", "key"),
    [
        ("sms", "sms"),
        ("msisdn", "sms"),
        (AddrType.VIBER, "viber"),
        ("tg", "tg"),
        ("vk", "vk"),
        ("push", "push"),
        ("pushapp", "pushapp"),
        ("whatsapp", "whatsapp"),
    ],
)
def test_letter_message_keys(channel, key):
    assert letter_message(channel, "Code 1234") == {"message": {key: "Code 1234"}}


@pytest.mark.parametrize("channel", ["email", "fax", ""])
def test_letter_message_refuses_unknown_channels(channel):
    with pytest.raises(ValueError, match="unknown Sendsay channel"):
        letter_message(channel, "text")


def test_channel_table_keys():
    assert set(CHANNEL_MESSAGE_KEYS.values()) == {
        "sms",
        "viber",
        "tg",
        "vk",
        "push",
        "pushapp",
        "whatsapp",
    }


def test_track_status_codes():
    assert {status.name: int(status) for status in TrackStatus} == {
        "NOT_MODERATED": -6,
        "ON_MODERATION": -5,
        "LATER": -4,
        "CANCELLED": -3,
        "FAILED": -2,
        "DONE": -1,
        "ACCEPTED": 0,
        "STARTED": 1,
        "IN_PROCESS": 2,
        "SORTING": 3,
        "FORMATTING": 4,
        "REPORTING": 5,
        "SPAM_CHECK": 6,
    }
    assert TrackStatus.DONE.is_final and not TrackStatus.ACCEPTED.is_final


def test_address_types():
    required = {"email", "msisdn", "viber", "tg", "vk", "push", "pushapp", "whatsapp", "csid"}
    assert required <= {str(addr_type) for addr_type in AddrType}


def test_ssec_event_types_match_the_documented_table():
    assert {event.name: int(event) for event in SsecEventType} == {
        "VIEW_PRODUCT": 0,
        "ORDER": 1,
        "VIEW_CATEGORY": 2,
        "BASKET_ADD": 3,
        "BASKET_CLEAR": 4,
        "SEARCH_PRODUCT": 5,
        "SUBSCRIBE_PRODUCT_PRICE": 6,
        "SUBSCRIBE_PRODUCT_ISA": 7,
        "FAVORITE": 8,
        "PREORDER": 12,
        "PRODUCT_ISA": 13,
        "PRODUCT_PRICE_CHANGED": 15,
        "REGISTRATION": 28,
        "AUTHORIZATION": 29,
    }
    assert set(SSEC_EVENT_AREAS) == set(SsecEventType)
