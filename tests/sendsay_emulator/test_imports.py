"""member.import: both formats, the asynchronous track, counts, auto_group and the plan limit."""

from __future__ import annotations

import time

CAPTION = [{"datakey": "member.email", "mode": "set"}, {"datakey": "base.firstName", "mode": "set"}]


def test_import_is_asynchronous_and_reports_counts(api):
    api.ok("group.create", name="Imported", type="list", id="imp")
    users = {
        "caption": CAPTION,
        "rows": [
            ["a@example.com", "Ann"],
            ["b@example.com", "Bob"],
            ["broken", "X"],
            ["c@example.com"],
        ],
    }
    track_id = api.ok("member.import", {"users.list": users, "auto_group": {"id": "imp"}})[
        "track.id"
    ]
    assert isinstance(track_id, str)
    assert api.account()["members"] == []  # nothing applied before the job runs
    statuses = [api.ok("track.get", id=track_id)["obj"]["status"] for _ in range(4)]
    assert statuses == [0, 2, -1, -1]
    obj = api.ok("track.get", id=track_id)["obj"]
    assert obj["action"] == "member.import"
    assert obj["result"] == {
        "total": 4,
        "ok": 2,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 2,
        "skipped_limit": 0,
    }
    assert [(e["row"], e["id"]) for e in obj["errors"]] == [
        (3, "error/email/badchar"),
        (4, "error/import/row_length"),
    ]
    members = {m["email"]: m for m in api.account()["members"]}
    assert members["a@example.com"]["groups"] == ["imp"]
    assert members["b@example.com"]["data"]["base"] == {"firstName": "Bob"}


def test_csv_import_with_header_and_if_exists(api):
    api.ok("member.set", email="old@example.com", datakey=[["base.city", "set", "Perm"]])
    csv_text = "member.email;base.city\nold@example.com;Omsk\nnew@example.com;Tula\n"
    track = api.ok(
        "member.import", {"users.list": csv_text, "if_exists": "ignore", "newbie.confirm": 1}
    )["track.id"]
    result = api.wait_track(track)["result"]
    assert (result["created"], result["skipped"], result["ok"]) == (1, 1, 1)
    old = api.ok("member.get", email="old@example.com", datakey="base.city")
    assert old["datakey"] == {"base.city": "Perm"} and old["member"]["confirmed"] == 1
    assert api.ok("member.get", email="new@example.com")["member"]["confirmed"] == 0
    track = api.ok(
        "member.import",
        {"users.list": "member.email,base.city\nold@example.com,Ufa", "if_exists": "error"},
    )["track.id"]
    result = api.wait_track(track)
    assert result["result"]["failed"] == 1
    assert result["errors"][0]["id"] == "error/member/exists"


def test_import_over_the_free_limit_fails_the_extra_rows(api):
    rows = [[f"p{n}@example.com"] for n in range(205)]
    track = api.ok(
        "member.import", {"users.list": {"caption": [{"datakey": "member.email"}], "rows": rows}}
    )["track.id"]
    result = api.wait_track(track)["result"]
    assert (result["created"], result["failed"], result["skipped_limit"]) == (200, 5, 5)
    assert api.ok("sys.settings.get", list=["member.hard.rest"])["list"] == {"member.hard.rest": 0}


def test_import_track_also_advances_over_time(api):
    api.control("config", track_step_seconds=0.05)
    track = api.ok("member.import", {"users.list": "member.email\nt@example.com"})["track.id"]
    time.sleep(0.12)
    assert api.ok("member.exists", email="t@example.com")["list"] == {"t@example.com": 1}
    assert api.ok("track.get", id=track)["obj"]["status"] == -1


def test_import_from_a_url_fails_in_the_track(api):
    track = api.ok("member.import", {"users.list": "https://files.example/users.csv"})["track.id"]
    obj = api.wait_track(track)
    assert obj["status"] == -2
    assert obj["error"]["id"] == "manage/member/import/probe/cant_get_url"


def test_import_request_errors_are_immediate(api):
    assert api.error("member.import") == {"id": "error/params/missing", "explain": "users.list"}
    no_email = api.error("member.import", {"users.list": "base.city\nOmsk"})
    assert no_email["id"] == "error/params/invalid" and "member.email" in no_email["explain"]
    assert (
        api.error(
            "member.import",
            {"users.list": "member.email\na@example.com", "auto_group": {"id": "nope"}},
        )["id"]
        == "error/group/not_found"
    )
    assert api.error("member.import", {"users.list": {"rows": []}})["id"] == "error/params/missing"
    assert api.error("track.get", id="999")["id"] == "error/track/not_found"


def test_import_checks_each_row_against_the_questions_and_groups_of_its_columns(api):
    """The column checks are prepared once per import; each row still gets its own answer."""
    api.ok("anketa.quest.add", {"anketa.id": "custom"}, obj={"id": "size", "name": "Size", "type": "int"})
    caption = [
        {"datakey": key, "mode": "set"}
        for key in ("member.email", "base.birthDate", "custom.size", "custom.nosuch", "-group.no")
    ]
    rows = [
        ["a@example.com", "2001-02-03", 5, "", ""],
        ["b@example.com", "2001-02-30", 5, "", ""],
        ["c@example.com", "2001-02-03", "x", "", ""],
        ["d@example.com", "", "", "v", ""],
        ["e@example.com", "", "", "", 1],
        ["a@example.com", "", 7, "", ""],  # an existing member: its empty cells clear
        ["f@example.com", "2001-2-3", "-4", "", None],
    ]
    track = api.ok("member.import", {"users.list": {"caption": caption, "rows": rows}})
    obj = api.wait_track(track["track.id"])
    assert [(e["row"], e["email"], e["id"], e["explain"]) for e in obj["errors"]] == [
        (2, "b@example.com", "error/params/invalid", "base.birthDate: must be a date like %Y-%m-%d"),
        (3, "c@example.com", "error/params/invalid", "custom.size: must be an integer"),
        (4, "d@example.com", "error/anketa/quest/not_found", "custom.nosuch"),
        (5, "e@example.com", "error/group/not_found", "no"),
        (6, "a@example.com", "error/anketa/quest/not_found", "custom.nosuch"),
    ]
    assert (obj["result"]["created"], obj["result"]["failed"]) == (2, 5)
    members = {m["email"]: m["data"] for m in api.account()["members"]}
    assert members == {
        "a@example.com": {"base": {"birthDate": "2001-02-03"}, "custom": {"size": 5}},
        "f@example.com": {"base": {"birthDate": "2001-2-3"}, "custom": {"size": "-4"}},
    }
