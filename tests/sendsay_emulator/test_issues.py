"""Senders, drafts, issue.send in all its forms, track.get, stat.uni, sequences and batch."""

from __future__ import annotations

SHOP = "news@shop.example"


def _letter(**extra) -> dict:
    return {"subject": "Your order", "from.email": SHOP, "message": {"html": "<p>Hi</p>"}, **extra}


def test_sender_set_list_delete(api):
    reply = api.ok("issue.emailsender.set", obj={"name": "Info@Shop.example", "label": "Shop"})
    assert reply["obj"]["email"] == "info@shop.example" and reply["obj"]["confirmed"] == 0
    listed = api.ok("issue.emailsender.list")["list"]
    assert listed == [
        {
            "email": "info@shop.example",
            "name": "info@shop.example",
            "label": "Shop",
            "confirmed": 0,
            "status": "unconfirmed",
            "create.time": listed[0]["create.time"],
        }
    ]
    assert api.account()["confirmations"][0]["kind"] == "sender.confirm"
    assert (
        api.ok("issue.emailsender.get", obj={"name": "info@shop.example"})["obj"]["label"] == "Shop"
    )
    api.ok("issue.emailsender.delete", obj={"name": "info@shop.example"})
    assert api.ok("issue.emailsender.list")["list"] == []
    assert (
        api.error("issue.emailsender.delete", obj={"name": "info@shop.example"})["id"]
        == "error/sender/unknown"
    )


def test_free_mail_senders_are_refused(api):
    for address in ("shop@gmail.com", "shop@mail.ru", "shop@yandex.ru"):
        error = api.error("issue.emailsender.set", obj={"name": address, "label": "x"})
        assert error["id"] == "error/sender/prohibited" and "free_mail_domain" in error["explain"]
    assert api.error("issue.emailsender.set", obj={"label": "x"})["id"] == "error/params/missing"


def test_send_needs_a_confirmed_sender(api):
    send = {"group": "personal", "email": "buyer@example.com", "letter": _letter()}
    assert api.error("issue.send", send) == {"id": "error/sender/unknown", "explain": SHOP}
    api.ok("issue.emailsender.set", obj={"name": SHOP, "label": "Shop"})
    assert api.error("issue.send", send)["id"] == "error/sender/onmoderation"
    api.control("confirm_sender", email=SHOP)
    reply = api.ok("issue.send", send)
    assert reply["channel"] == "email" and isinstance(reply["track.id"], str)
    no_from = {**send, "letter": {"subject": "x", "message": {"html": "y"}}}
    assert api.error("issue.send", no_from)["id"] == "error/draft/emptyfromemail"


def test_personal_send_creates_the_recipient_and_is_recorded(api):
    api.confirmed_sender(SHOP)
    reply = api.ok(
        "issue.send",
        {
            "group": "personal",
            "email": "Buyer@Example.com",
            "sendwhen": "now",
            "letter": _letter(),
            "extra": {"order": 17},
        },
    )
    sends = api.account()["sends"]["email"]
    assert len(sends) == 1
    send = sends[0]
    assert send["track.id"] == reply["track.id"] and send["extra"] == {"order": 17}
    assert send["recipients"] == [
        {"email": "buyer@example.com", "addr_type": "email", "member.id": 1, "status": "sent"}
    ]
    assert send["letter"]["message"] == {"html": "<p>Hi</p>"}
    assert api.ok("member.exists", email="buyer@example.com")["list"]["buyer@example.com"] == 1
    track = api.wait_track(reply["track.id"])
    assert track["status"] == -1 and track["issue.id"] == send["issue.id"]


def test_unconfirmed_recipient_is_recorded_as_not_delivered(api):
    api.confirmed_sender(SHOP)
    api.ok("member.set", email="doi@example.com", **{"newbie.confirm": 1})
    api.ok("issue.send", {"group": "personal", "email": "doi@example.com", "letter": _letter()})
    send = api.account()["sends"]["email"][0]
    assert send["recipients"][0]["status"] == "unconfirmed"
    row = api.ok("stat.uni", select=["issue.members", "issue.deliv_ok", "issue.deliv_bad"])
    assert row["list"] == [[1, 0, 1]]


def test_masssending_and_group_sends(api):
    api.confirmed_sender(SHOP)
    api.ok("group.create", name="All", type="list", id="all")
    for email in ("a@example.com", "b@example.com"):
        api.ok("member.set", email=email, datakey=[["-group.all", "set", 1]])
    api.ok(
        "issue.send",
        {
            "group": "masssending",
            "letter": _letter(),
            "users.list": "member.email;data.name\na@example.com;Ann\nx@example.com;X",
        },
    )
    express = api.account()["sends"]["email"][0]["recipients"]
    assert [(r["email"], r["status"]) for r in express] == [
        ("a@example.com", "sent"),
        ("x@example.com", "not_found"),
    ]
    assert express[0]["data"] == {"data.name": "Ann"}
    api.ok(
        "issue.send",
        {"group": "masssending", "letter": _letter(), "users.list": "a@example.com\nb@example.com"},
    )
    api.ok("issue.send", {"group": "all", "letter": _letter()})
    sends = api.account()["sends"]["email"]
    assert [len(s["recipients"]) for s in sends] == [2, 2, 2]
    assert (
        api.error("issue.send", {"group": "nope", "letter": _letter()})["id"]
        == "error/group/not_found"
    )
    assert (
        api.error("issue.send", {"group": "masssending", "letter": _letter()})["id"]
        == "error/params/missing"
    )


def test_draft_set_get_list_and_send_by_draft(api):
    api.confirmed_sender(SHOP)
    draft = api.ok(
        "issue.draft.set",
        obj={
            "name": "Welcome",
            "format": "html",
            "subject": "Welcome",
            "from.email": SHOP,
            "text": "<p>Hello</p>",
        },
        return_fresh_obj=1,
    )["obj"]
    assert draft["name"] == "Welcome" and draft["id"] == "1"
    assert api.ok("issue.draft.get", id="1")["obj"]["subject"] == "Welcome"
    assert [d["id"] for d in api.ok("issue.draft.list")["list"]] == ["1"]
    assert api.ok("issue.draft.set", id="1", obj={"subject": "Hi"})["id"] == "1"
    api.ok("issue.send", {"group": "personal", "email": "a@example.com", "letter": {"draft.id": 1}})
    assert api.account()["sends"]["email"][0]["letter"]["subject"] == "Hi"
    assert (
        api.error(
            "issue.send",
            {"group": "personal", "email": "a@example.com", "letter": {"draft.id": 99}},
        )["id"]
        == "error/draft/not_found"
    )
    assert api.error("issue.draft.get", id="99")["id"] == "error/draft/not_found"
    assert api.error("issue.draft.set", obj={"format": "pdf"})["id"] == "error/params/invalid"


def test_control_can_pre_create_drafts(api):
    api.control("add_draft", id="order-placed", obj={"subject": "Order", "format": "html"})
    assert api.ok("issue.draft.get", id="order-placed")["obj"]["subject"] == "Order"


def test_non_email_channels(api):
    reply = api.ok(
        "issue.send",
        {
            "group": "personal",
            "email": "79001234567",
            "addr_type": "msisdn",
            "letter": {"message": {"sms": "Code 1"}},
        },
    )
    assert reply["channel"] == "sms"
    assert (
        api.ok(
            "issue.send",
            {
                "group": "personal",
                "email": "123456",
                "addr_type": "tg",
                "letter": {"message": {"tg": "Hi"}},
            },
        )["channel"]
        == "tg"
    )
    sends = api.account()["sends"]
    assert set(sends) == {"sms", "tg"}
    assert sends["sms"][0]["recipients"][0]["email"] == "79001234567"
    mismatch = api.error(
        "issue.send",
        {
            "group": "personal",
            "email": "a@example.com",
            "letter": {"message": {"sms": "x"}},
            "addr_type": "email",
        },
    )
    assert mismatch["id"] == "error/params/invalid"
    both = api.error(
        "issue.send",
        {
            "group": "personal",
            "email": "79001234567",
            "letter": {"message": {"sms": "x", "viber": "y"}},
        },
    )
    assert both["id"] == "error/params/invalid"


def test_issue_send_parameter_errors(api):
    api.confirmed_sender(SHOP)
    assert api.error("issue.send", {"letter": _letter()}) == {
        "id": "error/params/missing",
        "explain": "group",
    }
    assert (
        api.error("issue.send", {"group": "personal", "email": "a@example.com"})["explain"]
        == "letter"
    )
    assert api.error(
        "issue.send",
        {
            "group": "personal",
            "email": "a@example.com",
            "letter": {"from.email": SHOP, "message": {"html": "x"}},
        },
    ) == {"id": "error/params/missing", "explain": "letter.subject"}
    assert (
        api.error("issue.send", {"group": "personal", "letter": _letter()})["id"]
        == "error/params/missing"
    )
    assert (
        api.error(
            "issue.send",
            {
                "group": "personal",
                "email": "a@example.com",
                "sendwhen": "later",
                "letter": _letter(),
            },
        )["explain"]
        == "later.time"
    )


def test_stat_uni_counts_and_control_overrides(api):
    api.confirmed_sender(SHOP)
    for email in ("a@example.com", "b@example.com"):
        api.ok("issue.send", {"group": "personal", "email": email, "letter": _letter()})
    api.control("set_stats", **{"issue.id": 2, "stats": {"issue.readed": 1, "issue.clicked": 1}})
    fields = [
        "issue.id",
        "issue.members",
        "issue.deliv_ok",
        "issue.deliv_bad",
        "issue.readed",
        "issue.u_readed",
        "issue.clicked",
        "issue.u_clicked",
        "issue.unsubed",
    ]
    rows = api.ok("stat.uni", select=fields, filter=[{"a": "issue.id", "op": "==", "v": "2"}])
    assert rows["list"] == [[2, 1, 1, 0, 1, 0, 1, 0, 0]]
    ordered = api.ok("stat.uni", select=["issue.id", "issue.format"], order=["-issue.id"])
    assert ordered["list"] == [[2, "e"], [1, "e"]]
    assert api.error("stat.uni", select=["issue.nonsense"])["id"] == "error/stat/field_unknown"
    assert (
        api.error("stat.uni", select=["deliv.member.email"])["id"] == "error/emulator/unsupported"
    )
    assert api.error("stat.uni")["id"] == "error/params/missing"


def test_sequence_member_start_and_stop(api):
    api.ok("member.set", email="a@example.com")
    api.ok("sequence.member.start", id="42", email="a@example.com")
    api.ok("sequence.member.stop", id="42", list=["a@example.com", "b@example.com"])
    sequences = api.account()["sequences"]
    assert [(s["action"], s["id"], s["members"]) for s in sequences] == [
        ("start", "42", ["a@example.com"]),
        ("stop", "42", ["a@example.com", "b@example.com"]),
    ]
    assert sequences[1]["unknown"] == ["b@example.com"]
    assert api.error("sequence.member.start", id="42")["id"] == "error/params/missing"
    assert (
        api.error("sequence.member.start", id="42", email="z@example.com")["id"]
        == "error/member/not_found"
    )


def test_settings_get_all_and_selected(api):
    settings = api.ok("sys.settings.get")["list"]
    assert settings["about.id"] == "acme" and settings["about.tarif"] == "free"
    assert settings["member.hard.limit"] == 200 and settings["anketa.id.base"] == "base"
    for key in (
        "about.name",
        "about.owner.email",
        "anketa.id.custom",
        "member.noconfirm.limit",
        "member.noconfirm.rest",
        "invite.month.limit",
        "invite.month.rest",
        "issue.email.sender.moderation",
    ):
        assert key in settings
    picked = api.ok("sys.settings.get", list=["about.tarif", "no.such.key"])["list"]
    assert picked == {"about.tarif": "free"}


def test_batch_runs_each_request(api):
    reply = api.ok(
        "batch",
        do=[
            {"action": "pong"},
            {"action": "member.get", "email": "x@example.com"},
            {"action": "nope"},
        ],
    )
    results = reply["result"]
    assert results[0]["account"] == "acme"
    assert results[1]["errors"][0]["id"] == "error/member/not_found"
    assert results[2]["errors"][0]["id"] == "error/action/unknown"
