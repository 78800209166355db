"""Groups (lists and filters) and anketas (base read-only, custom questions)."""

from __future__ import annotations

import datetime as dt

import pytest

from sendsay_admin.emulator.actions import anketas


def test_group_create_list_get(api):
    assert api.ok("group.create", name="Buyers", type="list")["obj"] == {"id": "pl1"}
    assert api.ok("group.create", name="Active", type="filter", filter=[{"a": "x"}])["obj"] == {
        "id": "pf2"
    }
    assert api.ok("group.create", name="Own", type="list", id="mine")["obj"] == {"id": "mine"}
    listed = api.ok("group.list")["list"]
    assert [(g["id"], g["type"]) for g in listed] == [
        ("pl1", "list"),
        ("pf2", "filter"),
        ("mine", "list"),
    ]
    assert "create.time" in listed[0]
    assert api.ok("group.get", id="pl1")["obj"]["name"] == "Buyers"
    assert [g["id"] for g in api.ok("group.get", id=["mine", "pl1"])["list"]] == ["mine", "pl1"]
    assert len(api.ok("group.get", id="*")["list"]) == 3
    assert [g["id"] for g in api.ok("group.list", first=1, skip=1)["list"]] == ["pf2"]


def test_group_errors(api):
    api.ok("group.create", name="X", type="list", id="x")
    assert api.error("group.create", name="X", type="list", id="x")["id"] == "error/group/exists"
    assert api.error("group.create", name="Y", type="segment")["id"] == "error/params/invalid"
    assert api.error("group.create", type="list") == {
        "id": "error/params/missing",
        "explain": "name",
    }
    assert api.error("group.get", id="nope")["id"] == "error/group/not_found"
    assert api.error("group.list", first=51)["id"] == "error/params/invalid"


def test_group_membership_clean_rename_delete(api):
    api.ok("group.create", name="L", type="list", id="l1")
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        api.ok("member.set", email=email, datakey=[["-group.l1", "set", 1]])
    assert api.ok("group.clean", id="l1", email="a@example.com")["cleaned"] == 1
    assert api.ok("group.clean", id="l1", list=["b@example.com"])["cleaned"] == 1
    assert api.error("group.clean", id="l1")["id"] == "error/params/missing"
    groups = {g["id"]: g for g in api.account()["groups"]}
    assert groups["l1"]["members"] == 1
    assert api.ok("group.clean", id="l1", all=True)["cleaned"] == 1
    api.ok("group.set", id="l1", name="Renamed")
    assert api.ok("group.get", id="l1")["obj"]["name"] == "Renamed"
    api.ok("group.delete", id="l1")
    assert api.error("group.get", id="l1")["id"] == "error/group/not_found"


def test_filter_groups_take_no_explicit_members(api):
    api.ok("group.create", name="F", type="filter", id="f1")
    assert (
        api.error("member.set", email="a@example.com", datakey=[["-group.f1", "set", 1]])["id"]
        == "error/group/wrong_type"
    )
    assert api.error("group.clean", id="f1", all=True)["id"] == "error/group/wrong_type"


def test_anketa_base_and_custom(api):
    base = api.ok("anketa.get", id="base")["obj"]
    assert base["id"] == "base" and base["order"][:3] == ["firstName", "lastName", "middleName"]
    assert base["quests"]["gender"]["type"] == "1m"
    assert base["quests"]["birthDate"] == {
        "id": "birthDate",
        "name": "Дата рождения",
        "type": "dt",
        "dtsubtype": "yd",
    }
    assert api.ok("anketa.get", id="custom")["obj"]["quests"] == {}
    assert [a["id"] for a in api.ok("anketa.list")["list"]] == ["base", "custom"]
    assert api.error("anketa.get", id="a58")["id"] == "error/anketa/not_found"


def test_anketa_quest_add_validates(api):
    added = api.ok(
        "anketa.quest.add",
        {"anketa.id": "custom"},
        obj=[
            {"id": "shop", "name": "Shop", "type": "free", "width": 64},
            {"name": "Visit", "type": "dt", "dtsubtype": "ys"},
            {"id": "size", "name": "Size", "type": "1m", "answers": {"s": "S", "m": "M"}},
        ],
    )["obj"]
    assert [q["id"] for q in added] == ["shop", "q1", "size"]
    quests = api.ok("anketa.get", id="custom")["obj"]["quests"]
    assert quests["shop"] == {"id": "shop", "name": "Shop", "type": "free", "width": 64}
    cases = [
        ({"anketa.id": "base"}, {"name": "X", "type": "free"}, "error/anketa/readonly"),
        (
            {"anketa.id": "custom"},
            {"id": "shop", "name": "X", "type": "free"},
            "error/anketa/quest/exists",
        ),
        ({"anketa.id": "custom"}, {"name": "X", "type": "text"}, "error/params/invalid"),
        (
            {"anketa.id": "custom"},
            {"name": "X", "type": "dt", "dtsubtype": "yy"},
            "error/params/invalid",
        ),
        ({"anketa.id": "custom"}, {"name": "X", "type": "nm"}, "error/params/missing"),
        ({"anketa.id": "custom"}, {"type": "int"}, "error/params/missing"),
    ]
    for params, obj, error_id in cases:
        assert api.error("anketa.quest.add", params, obj=obj)["id"] == error_id, obj
    assert len(api.ok("anketa.get", id="custom")["obj"]["quests"]) == 3


@pytest.mark.parametrize("subtype", sorted(anketas.DT_FORMATS))
def test_date_answers_are_checked_like_strptime(subtype):
    def strptime_accepts(text: str) -> bool:
        try:
            dt.datetime.strptime(text, anketas.DT_FORMATS[subtype])
        except ValueError:
            return False
        return True

    texts = ["2024-01-31 10:20:30"[:cut] for cut in (10, 13, 16, 19)] + [
        "2024-02-30", "2023-02-29 10", "2024-1-5", "2024-01-05 7", "0000-01-01", "2024-13-01",
        "2024-01-01 24", "2024-01-01 23:60", "2024-01-01 23:59:60", "2024-01-01:10",
        "2024-01-01T10:20", " 2024-01-01", "2024-01-01 ", "20240101", "٢٠٢٤-01-01"]
    for text in texts:
        assert anketas._is_date(text, subtype) is strptime_accepts(text), text
