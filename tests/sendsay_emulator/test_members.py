"""member.set / get / exists / delete / sendconfirm and the free plan's upload counting."""

from __future__ import annotations


def test_member_set_then_get_with_datakey(api):
    api.ok("group.create", name="Buyers", type="list")
    api.ok(
        "member.set",
        email="Ann@Example.com",
        datakey=[
            ["base.firstName", "set", "Ann"],
            ["-group.pl1", "set", 1],
            ["client_data.orders", "push", 1],
            ["client_data.orders", "push", 2],
            ["client_data.orders", "unshift", 0],
            ["client_data.tags", "merge", {"vip": True}],
        ],
    )
    reply = api.ok("member.get", email="ann@example.com", datakey="*")
    assert reply["member"]["email"] == "ann@example.com"
    assert reply["member"]["confirmed"] == 1 and reply["member"]["addr_type"] == "email"
    assert reply["datakey"] == {
        "base": {"firstName": "Ann"},
        "-group": {"pl1": 1},
        "client_data": {"orders": [0, 1, 2], "tags": {"vip": True}},
    }
    paths = api.ok(
        "member.get", email="ann@example.com", datakey=["base.firstName", "base.lastName"]
    )["datakey"]
    assert paths == {"base.firstName": "Ann"}
    assert api.ok("member.get", email="ann@example.com")["datakey"] == {}


def test_datakey_delete_and_group_leave(api):
    api.ok("group.create", name="G", type="list", id="g1")
    api.ok(
        "member.set",
        email="a@example.com",
        datakey=[["base.city", "set", "Omsk"], ["-group.g1", "set", 1]],
    )
    api.ok(
        "member.set",
        email="a@example.com",
        datakey=[["base.city", "delete"], ["-group.g1", "set", 0]],
    )
    assert api.ok("member.get", email="a@example.com", datakey="*")["datakey"] == {"base": {}}


def test_return_fresh_obj_and_legacy_obj(api):
    reply = api.ok(
        "member.set", email="b@example.com", obj={"base": {"lastName": "Bee"}}, return_fresh_obj=1
    )
    assert reply["member"]["email"] == "b@example.com"
    assert reply["datakey"] == {"base": {"lastName": "Bee"}}
    api.ok("member.set", email="b@example.com", obj={"base": {"city": "Tver"}}, if_exists="update")
    data = api.ok("member.get", email="b@example.com", datakey="base")["datakey"]
    assert data == {"base": {"lastName": "Bee", "city": "Tver"}}
    api.ok("member.set", email="b@example.com", obj={"base": {"city": "Kazan"}})
    data = api.ok("member.get", email="b@example.com", datakey="base")["datakey"]
    assert data == {"base": {"city": "Kazan"}}  # overwrite replaces the named anketa


def test_newbie_confirm_makes_an_unconfirmed_member_and_a_letter(api):
    api.ok("member.set", email="c@example.com", **{"newbie.confirm": 1})
    member = api.ok("member.get", email="c@example.com")["member"]
    assert member["confirmed"] == 0 and member["status"] == "unconfirmed"
    letters = api.account()["confirmations"]
    assert [(x["kind"], x["email"]) for x in letters] == [
        ("newbie.letter.confirm", "c@example.com")
    ]


def test_if_exists_error_and_must(api):
    api.ok("member.set", email="d@example.com")
    assert (
        api.error("member.set", email="d@example.com", if_exists="error")["id"]
        == "error/member/exists"
    )
    assert (
        api.error("member.set", email="new@example.com", if_exists="must")["id"]
        == "error/member/not_found"
    )
    assert (
        api.error("member.set", email="d@example.com", if_exists="sometimes")["id"]
        == "error/params/invalid"
    )


def test_member_set_validation_errors(api):
    assert api.error("member.set") == {"id": "error/params/missing", "explain": "email"}
    assert api.error("member.set", email="not-an-address")["id"] == "error/email/badchar"
    assert (
        api.error("member.set", email="e@example.com", addr_type="fax")["id"]
        == "error/params/invalid"
    )
    bad_mode = api.error("member.set", email="e@example.com", datakey=[["base.city", "add", 1]])
    assert bad_mode["id"] == "error/params/invalid" and "add" in bad_mode["explain"]
    assert (
        api.error("member.set", email="e@example.com", datakey=[["-group.nope", "set", 1]])["id"]
        == "error/group/not_found"
    )
    assert (
        api.error("member.set", email="e@example.com", datakey=[["base.gender", "set", "x"]])["id"]
        == "error/params/invalid"
    )
    assert (
        api.error(
            "member.set", email="e@example.com", datakey=[["base.birthDate", "set", "31.12.1973"]]
        )["id"]
        == "error/params/invalid"
    )
    assert (
        api.error("member.set", email="e@example.com", datakey=[["custom.q9", "set", 1]])["id"]
        == "error/anketa/quest/not_found"
    )
    assert api.account()["members"] == [] and api.account()["uploads"] == 0


def test_typed_answers_are_accepted(api):
    api.ok(
        "anketa.quest.add",
        {"anketa.id": "custom"},
        obj={"id": "size", "name": "Size", "type": "int"},
    )
    api.ok(
        "member.set",
        email="f@example.com",
        datakey=[
            ["base.gender", "set", 1],
            ["base.birthDate", "set", "1973-12-31"],
            ["custom.size", "set", 42],
        ],
    )
    data = api.ok("member.get", email="f@example.com", datakey="*")["datakey"]
    assert data == {"base": {"gender": 1, "birthDate": "1973-12-31"}, "custom": {"size": 42}}


def test_member_get_missing_is_not_found(api):
    assert api.error("member.get", email="ghost@example.com") == {
        "id": "error/member/not_found",
        "explain": "ghost@example.com",
    }


def test_member_exists_for_one_and_many(api):
    api.ok("member.set", email="g@example.com")
    assert api.ok("member.exists", email="g@example.com")["list"] == {"g@example.com": 1}
    reply = api.ok("member.exists", email=["g@example.com", "h@example.com"])
    assert reply["list"] == {"g@example.com": 1, "h@example.com": 0}


def test_member_delete_one_and_list_keeps_the_id(api):
    first = api.ok("member.set", email="i@example.com", return_fresh_obj=1)["member"]["id"]
    api.ok("member.set", email="j@example.com")
    assert api.ok("member.delete", email="i@example.com")["deleted"] == 1
    assert api.ok("member.delete", list=["j@example.com", "nobody@example.com"])["deleted"] == 1
    assert api.error("member.delete")["id"] == "error/params/missing"
    again = api.ok("member.set", email="i@example.com", return_fresh_obj=1)["member"]["id"]
    assert again == first


def test_free_plan_counts_uploads_and_refuses_the_201st(api):
    for number in range(199):
        api.ok("member.set", email=f"u{number}@example.com")
    api.ok("member.delete", email="u0@example.com")
    api.ok("member.set", email="u0@example.com")  # re-adding uses a second upload: 200
    settings = api.ok("sys.settings.get", list=["member.hard.limit", "member.hard.rest"])
    assert settings["list"] == {"member.hard.limit": 200, "member.hard.rest": 0}
    api.ok("member.set", email="u1@example.com", datakey=[["base.city", "set", "Ufa"]])
    refused = api.error("member.set", email="one-more@example.com")
    assert refused["id"] == "error/member/limit_exceeded"
    assert api.error("member.exists", email="one-more@example.com", addr_type="fax")
    assert api.ok("member.exists", email="one-more@example.com")["list"] == {
        "one-more@example.com": 0
    }


def test_paid_plan_has_a_large_limit(paid_api):
    settings = paid_api.ok("sys.settings.get")["list"]
    assert settings["about.tarif"] == "paid" and settings["member.hard.limit"] >= 100_000


def test_sendconfirm_only_for_unconfirmed_members(api):
    api.ok("member.set", email="k@example.com", **{"newbie.confirm": 1})
    api.ok("member.set", email="l@example.com")
    assert api.ok("member.sendconfirm", email="k@example.com")["track.id"]
    assert (
        api.error("member.sendconfirm", email="l@example.com")["id"]
        == "error/member/already_confirmed"
    )
    assert api.error("member.sendconfirm", email="m@example.com")["id"] == "error/member/not_found"
    kinds = [x["kind"] for x in api.account()["confirmations"]]
    assert kinds == ["newbie.letter.confirm", "member.sendconfirm"]


def test_sendconfirm_to_a_group_and_confirm_through_control(api):
    api.ok("group.create", name="New", type="list", id="new")
    for email in ("n1@example.com", "n2@example.com"):
        api.ok(
            "member.set", email=email, datakey=[["-group.new", "set", 1]], **{"newbie.confirm": 1}
        )
    api.control("confirm_member", email="n2@example.com")
    api.ok("member.sendconfirm", group="new")
    sent = [x["email"] for x in api.account()["confirmations"] if x["kind"] == "member.sendconfirm"]
    assert sent == ["n1@example.com"]
