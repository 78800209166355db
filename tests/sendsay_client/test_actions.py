"""Every typed wrapper sends exactly the documented body to the right URL with the key header."""

from datetime import datetime

import pytest

from sendsay_admin.client import SendsayAPIError, letter_draft, letter_inline, letter_message

from .support import API_KEY, AUTH_HEADER, LOGIN, SSEC_URL, URL, sent_json

LETTER = letter_inline("Your order", "<p>Hi</p>", "Hi", "shop@shop.example", "Shop")

WRAPPER_CASES = [
    ("pong", lambda c: c.pong(), {"action": "pong"}),
    (
        "settings_get keys",
        lambda c: c.settings_get(["about.id", "member.hard.rest"]),
        {"action": "sys.settings.get", "list": ["about.id", "member.hard.rest"]},
    ),
    ("settings_get all", lambda c: c.settings_get(), {"action": "sys.settings.get"}),
    (
        "member_set minimal",
        lambda c: c.member_set("a@example.com"),
        {
            "action": "member.set",
            "email": "a@example.com",
            "addr_type": "email",
            "if_exists": "overwrite",
        },
    ),
    (
        "member_set full",
        lambda c: c.member_set(
            "79001234567",
            addr_type="msisdn",
            datakey=[["base.firstName", "set", "Ivan"], ["-group.p1", "set", 1]],
            newbie_confirm=True,
            if_exists="error",
            return_fresh_obj=True,
            source="127.0.0.1",
            **{"newbie.letter.confirm": "12"},
        ),
        {
            "action": "member.set",
            "email": "79001234567",
            "addr_type": "msisdn",
            "if_exists": "error",
            "datakey": [["base.firstName", "set", "Ivan"], ["-group.p1", "set", 1]],
            "newbie.confirm": 1,
            "return_fresh_obj": 1,
            "source": "127.0.0.1",
            "newbie.letter.confirm": "12",
        },
    ),
    (
        "member_set no confirm",
        lambda c: c.member_set("a@example.com", newbie_confirm=False),
        {
            "action": "member.set",
            "email": "a@example.com",
            "addr_type": "email",
            "if_exists": "overwrite",
            "newbie.confirm": 0,
        },
    ),
    (
        "member_get",
        lambda c: c.member_get("a@example.com"),
        {"action": "member.get", "email": "a@example.com", "addr_type": "email", "datakey": "*"},
    ),
    (
        "member_delete one",
        lambda c: c.member_delete("a@example.com"),
        {"action": "member.delete", "email": "a@example.com"},
    ),
    (
        "member_delete list",
        lambda c: c.member_delete(["a@example.com", "b@example.com"], addr_type="email"),
        {
            "action": "member.delete",
            "list": ["a@example.com", "b@example.com"],
            "addr_type": "email",
        },
    ),
    (
        "group_create",
        lambda c: c.group_create("Buyers"),
        {"action": "group.create", "name": "Buyers", "type": "list", "addr_type": "email"},
    ),
    (
        "group_create with id",
        lambda c: c.group_create("VIP", group_id="pvip", type="filter", addr_type="msisdn"),
        {
            "action": "group.create",
            "name": "VIP",
            "type": "filter",
            "addr_type": "msisdn",
            "id": "pvip",
        },
    ),
    ("group_list", lambda c: c.group_list(), {"action": "group.list"}),
    ("group_get", lambda c: c.group_get("p1"), {"action": "group.get", "id": "p1"}),
    ("anketa_get", lambda c: c.anketa_get("base"), {"action": "anketa.get", "id": "base"}),
    (
        "anketa_quest_add",
        lambda c: c.anketa_quest_add(
            "custom", {"id": "city", "name": "City", "type": "free", "width": 256}
        ),
        {
            "action": "anketa.quest.add",
            "anketa.id": "custom",
            "obj": {"id": "city", "name": "City", "type": "free", "width": 256},
        },
    ),
    (
        "issue_send_personal",
        lambda c: c.issue_send_personal("a@example.com", letter=LETTER, extra={"order": "A-1"}),
        {
            "action": "issue.send",
            "group": "personal",
            "email": "a@example.com",
            "addr_type": "email",
            "sendwhen": "now",
            "letter": {
                "subject": "Your order",
                "from.email": "shop@shop.example",
                "from.name": "Shop",
                "message": {"html": "<p>Hi</p>", "text": "Hi"},
            },
            "extra": {"order": "A-1"},
        },
    ),
    (
        "issue_send_personal sms",
        lambda c: c.issue_send_personal(
            "79001234567", letter=letter_message("sms", "Code 1234"), addr_type="msisdn"
        ),
        {
            "action": "issue.send",
            "group": "personal",
            "email": "79001234567",
            "addr_type": "msisdn",
            "sendwhen": "now",
            "letter": {"message": {"sms": "Code 1234"}},
        },
    ),
    (
        "issue_send_group",
        lambda c: c.issue_send_group("p1", letter=letter_draft(5)),
        {"action": "issue.send", "group": "p1", "sendwhen": "now", "letter": {"draft.id": 5}},
    ),
    (
        "issue_send_group later",
        lambda c: c.issue_send_group(
            "p1",
            letter=letter_draft("7"),
            sendwhen="later",
            later_time=datetime(2025, 1, 2, 3, 4, 5),
        ),
        {
            "action": "issue.send",
            "group": "p1",
            "sendwhen": "later",
            "letter": {"draft.id": "7"},
            "later.time": "2025-01-02 03:04:05",
        },
    ),
    (
        "issue_send_express",
        lambda c: c.issue_send_express(
            "member.email;data.name\na@example.com;Ann", letter=letter_draft(5)
        ),
        {
            "action": "issue.send",
            "group": "masssending",
            "sendwhen": "now",
            "letter": {"draft.id": 5},
            "users.list": "member.email;data.name\na@example.com;Ann",
        },
    ),
    ("emailsender_list", lambda c: c.emailsender_list(), {"action": "issue.emailsender.list"}),
    (
        "emailsender_set",
        lambda c: c.emailsender_set("news@shop.example", "Shop news"),
        {
            "action": "issue.emailsender.set",
            "obj": {"name": "news@shop.example", "label": "Shop news"},
        },
    ),
    (
        "stat_uni",
        lambda c: c.stat_uni(
            ["issue.id", "count(*)"],
            [{"a": "issue.dt:YD", "op": ">=", "v": "CURRENT"}],
            order=["-issue.id"],
            first=10,
        ),
        {
            "action": "stat.uni",
            "select": ["issue.id", "count(*)"],
            "filter": [{"a": "issue.dt:YD", "op": ">=", "v": "CURRENT"}],
            "order": ["-issue.id"],
            "first": 10,
        },
    ),
    (
        "stat_uni no filter",
        lambda c: c.stat_uni(["issue.id"]),
        {"action": "stat.uni", "select": ["issue.id"]},
    ),
    (
        "sequence_member_start",
        lambda c: c.sequence_member_start(7, "a@example.com"),
        {
            "action": "sequence.member.start",
            "id": 7,
            "addr_type": "email",
            "email": "a@example.com",
        },
    ),
    (
        "sequence_member_stop list",
        lambda c: c.sequence_member_stop("7", ["1", "2"], addr_type="tg"),
        {"action": "sequence.member.stop", "id": "7", "addr_type": "tg", "list": ["1", "2"]},
    ),
]


@pytest.mark.parametrize(
    ("invoke", "expected"),
    [case[1:] for case in WRAPPER_CASES],
    ids=[case[0] for case in WRAPPER_CASES],
)
def test_wrapper_sends_exact_body_url_and_headers(client, rsps, invoke, expected):
    rsps.post(URL, json={"list": [], "track.id": "1", "obj": {"status": -1}})

    invoke(client)

    assert len(rsps.calls) == 1
    request = rsps.calls[0].request
    assert request.url == URL
    assert sent_json(rsps.calls[0]) == expected
    assert request.headers["Authorization"] == AUTH_HEADER
    assert request.headers["Content-Type"] == "application/json"
    assert API_KEY not in request.body.decode()


def test_settings_get_returns_the_list_object(client, rsps):
    rsps.post(URL, json={"list": {"about.id": "x_acc", "member.hard.rest": 180}})

    assert client.settings_get(["about.id", "member.hard.rest"]) == {
        "about.id": "x_acc",
        "member.hard.rest": 180,
    }


def test_pong_returns_whole_reply(client, rsps):
    reply = {"ping": 1590062030, "account": "x_acc", "sublogin": "api", "request.id": "r1"}
    rsps.post(URL, json=reply)

    assert client.pong() == reply


def test_group_list_returns_items(client, rsps):
    rsps.post(URL, json={"list": [{"id": "p1", "name": "Buyers"}]})

    assert client.group_list() == [{"id": "p1", "name": "Buyers"}]


def test_member_import_sends_caption_rows_and_returns_track_id(client, rsps):
    rsps.post(URL, json={"track.id": 77})
    caption = [
        {"datakey": "member.email", "mode": "set"},
        {"datakey": "base.firstName", "mode": "set"},
    ]
    rows = [["a@example.com", "Ann"], ["b@example.com", "Bob"]]

    track_id = client.member_import(rows, caption, group_id="p1", newbie_confirm=False)

    assert track_id == "77"
    assert sent_json(rsps.calls[0]) == {
        "action": "member.import",
        "addr_type": "email",
        "if_exists": "overwrite",
        "users.list": {"caption": caption, "rows": rows},
        "auto_group": {"id": "p1"},
        "newbie.confirm": 0,
    }


def test_member_import_without_track_id_raises_api_error(client, rsps):
    rsps.post(URL, json={"request.id": "r1"})

    with pytest.raises(SendsayAPIError) as caught:
        client.member_import([["a@example.com"]], [{"datakey": "member.email", "mode": "set"}])

    assert caught.value.error_id == "client/missing_track_id"
    assert caught.value.retryable is False


def test_issue_send_personal_returns_reply_with_track_id(client, rsps):
    rsps.post(URL, json={"track.id": "3", "channel": "email"})

    assert client.issue_send_personal("a@example.com", letter=LETTER)["track.id"] == "3"


def test_issue_send_group_later_without_time_is_refused(client, rsps):
    with pytest.raises(ValueError, match="later_time"):
        client.issue_send_group("p1", letter=letter_draft(5), sendwhen="later")

    assert len(rsps.calls) == 0


def test_track_get_sends_id_and_returns_obj_with_int_status(client, rsps):
    rsps.post(URL, json={"obj": {"status": "-1", "dt": "2025-01-01 10:00:00"}})

    assert client.track_get("12") == {"status": -1, "dt": "2025-01-01 10:00:00"}
    assert sent_json(rsps.calls[0]) == {"action": "track.get", "id": "12"}


def test_track_get_without_status_raises_api_error(client, rsps):
    rsps.post(URL, json={"obj": {"dt": "2025-01-01"}})

    with pytest.raises(SendsayAPIError) as caught:
        client.track_get("12")

    assert caught.value.error_id == "client/missing_status"


def test_ssec_events_posts_a_json_array_to_the_ssec_url(client, rsps):
    rsps.post(SSEC_URL + LOGIN, json={})
    events = [
        {
            "email": "a@example.com",
            "addr_type": "email",
            "event_type": 1,
            "transaction_id": "A-1",
            "transaction_status": 1,
            "items": [{"id": "sku1", "qnt": 1, "price": 10}],
        },
    ]

    assert client.ssec_events(events) == {}

    request = rsps.calls[0].request
    assert request.url == SSEC_URL + LOGIN
    assert sent_json(rsps.calls[0]) == events
    assert request.headers["Authorization"] == AUTH_HEADER
    assert request.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"", {}), (b"OK", {}), (b"[1, 2]", {"result": [1, 2]}), (b'{"ok": 1}', {"ok": 1})],
)
def test_ssec_tolerates_undocumented_reply_formats(client, rsps, body, expected):
    rsps.post(SSEC_URL + LOGIN, body=body)

    assert client.ssec_events([{"event_type": 15, "id": "sku1", "price": 9}]) == expected


def test_ssec_errors_are_raised(client, rsps):
    rsps.post(SSEC_URL + LOGIN, json={"errors": [{"id": "error/auth/failed"}]})

    with pytest.raises(SendsayAPIError) as caught:
        client.ssec_events([{"event_type": 0}])

    assert caught.value.action == "ssec"
    assert caught.value.error_id == "error/auth/failed"
