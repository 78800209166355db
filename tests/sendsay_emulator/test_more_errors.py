"""The error side of the smaller actions (one check each)."""

from __future__ import annotations


def test_small_actions_refuse_bad_input(api):
    cases = [
        ("sys.settings.get", {"list": "about.id"}, "error/params/invalid"),
        ("group.set", {"id": "nope", "name": "X"}, "error/group/not_found"),
        ("group.delete", {"id": "nope"}, "error/group/not_found"),
        ("issue.emailsender.get", {"obj": {"name": "none@shop.example"}}, "error/sender/unknown"),
        ("issue.draft.delete", {"id": "7"}, "error/draft/not_found"),
        ("batch", {}, "error/params/missing"),
        ("track.get", {}, "error/params/missing"),
        ("member.delete", {"group": "nope"}, "error/group/not_found"),
        ("anketa.get", {}, "error/params/missing"),
    ]
    for action, params, error_id in cases:
        assert api.error(action, params)["id"] == error_id, action


def test_draft_delete_and_list(api):
    api.ok("issue.draft.set", obj={"name": "A", "format": "sms", "text": "hi"})
    api.ok("issue.draft.set", obj={"name": "B"})
    api.ok("issue.draft.delete", id="1")
    assert [d["name"] for d in api.ok("issue.draft.list")["list"]] == ["B"]
