"""Pure export values (no database): triples from a row, import cells, the two hashes, and the
upload helpers' reading of Sendsay's answers."""

import datetime as dt
from decimal import Decimal

from contacts import uploads, values
from sendsay_admin.fields import MappingSpec

UTC = dt.UTC
BUYER = [MappingSpec("first_name", "base.firstName", "free"),
         MappingSpec("total_spent", "custom.spent", "int"),
         MappingSpec("gender", "base.gender", "1m", answer_map={"m": "1", "f": "2"})]
SELLER = [MappingSpec("company_name", "custom.company", "free"),
          MappingSpec("company_status", "base.gender", "free")]  # shares a path with buyers


def row(**changes):
    base = {
        "id": 7, "email": "ann@example.org", "first_name": "Ann", "last_name": "", "tier": 0,
        "activity": None, "bp_id": 3, "bp_gender": "f", "bp_birth_date": None, "bp_phone": "",
        "bp_city": "", "bp_delivery_address": "", "bp_confirmed": False, "bp_activity": None,
        "bp_created": dt.datetime(2024, 1, 1, tzinfo=UTC), "bp_storefront": "A",
        "bp_shipping": None, "company_id": None, "company_name": None, "company_status": None,
        "company_created": None, "orders_count": 2, "total_spent": Decimal("100.20"),
        "last_order_at": None,
    }
    return {**base, **changes}


def plan():
    return values.plan_build(BUYER, SELLER, time_zone="Europe/Moscow")


def test_triples_use_the_catalogue_conversions_and_buyer_values_win_a_shared_path():
    both = row(company_id=1, company_name="Vektor", company_status="active")
    assert values.contact_triples(plan(), both) == [
        ["base.firstName", "set", "Ann"], ["custom.spent", "set", 100],
        ["base.gender", "set", "2"], ["custom.company", "set", "Vektor"]]


def test_cells_follow_the_caption_with_blanks_for_missing_values():
    p = plan()
    seller = row(bp_id=None, company_id=1, company_name="Vektor", company_status="new")
    triples = values.contact_triples(p, seller)
    assert [c["datakey"] for c in p.caption()] == [
        "member.email", "base.firstName", "custom.spent", "base.gender", "custom.company"]
    assert p.cells("s@x.example", triples) == ["s@x.example", "", "", "New", "Vektor"]  # label as text


def test_the_source_hash_covers_only_the_inputs_of_mapped_fields():
    p = plan()
    assert p.row_keys == ("first_name", "bp_gender", "company_name", "company_status")
    assert p.source_keys == ("email", "bp_id", "company_id", *p.row_keys, "orders_hash")
    remapped = values.plan_build(BUYER[:1], SELLER, time_zone="Europe/Moscow")
    assert remapped.signature != p.signature
    assert "orders_hash" not in remapped.source_keys


def test_content_hash_is_about_what_is_sent():
    p = plan()
    first = values.contact_triples(p, row())
    rounded_same = values.contact_triples(p, row(total_spent=Decimal("100.40")))
    assert values.content_hash("a@x", first) == values.content_hash("a@x", rounded_same)
    assert values.content_hash("a@x", first) != values.content_hash("b@x", first)
    assert values.content_hash("a@x", first) != values.content_hash(
        "a@x", values.contact_triples(p, row(total_spent=Decimal("150"))))


def test_import_outcome_reads_counts_refusals_and_failed_jobs():
    done = {"status": -1, "result": {"ok": 8, "failed": 2},
            "errors": [{"email": "a@x", "id": "error/member/limit_exceeded", "explain": "200"}]}
    outcome = uploads.import_outcome(done, 10)
    assert (outcome.ok, outcome.failed, outcome.unnamed_failures) == (8, 2, 1)
    assert uploads.refusal_reason(outcome.refusals[0]) == "error/member/limit_exceeded: 200"
    failed = uploads.import_outcome({"status": -2, "error": {"id": "manage/x"}}, 5)
    assert (failed.failed, failed.job_error) == (5, "manage/x")


def test_member_confirmed_is_tolerant():
    assert uploads.member_confirmed({"confirmed": 1}) is True
    assert uploads.member_confirmed({"confirmed": "0"}) is False
    assert uploads.member_confirmed({"status": "unconfirmed"}) is False
    assert uploads.member_confirmed({}) is None
    assert uploads.member_confirmed(None) is None


def test_track_finish_backs_off_until_the_track_ends():
    class Client:
        polls = 0

        def track_get(self, track_id):
            self.polls += 1
            return {"status": -1 if self.polls == 4 else 2}

    pauses = []
    track = uploads.track_finish(Client(), "5", timeout=10, sleep=pauses.append)
    assert track["status"] == -1
    assert pauses == [0.02, 0.04, 0.08]


def test_emptied_values_are_cleared_and_change_the_content_hash():
    p = plan()
    full = row(company_id=1, company_name="Vektor", company_status="new")
    emptied = row(company_id=1, company_name="", company_status="new")
    full_triples, emptied_triples = (values.contact_triples(p, r) for r in (full, emptied))
    assert p.cleared(full_triples) == []
    assert p.cleared(emptied_triples) == ["custom.company"]
    assert p.clearing_triples(emptied_triples) == [["custom.company", "set", ""]]
    assert p.cells("a@x", emptied_triples)[-1] == ""
    hashes = {values.content_hash("a@x", t, p.cleared(t)) for t in (full_triples,
                                                                    emptied_triples)}
    assert len(hashes) == 2
    # Nothing cleared: the hash of version 1 (contacts with every field set are not re-sent).
    assert values.content_hash("a@x", full_triples, []) == values.content_hash("a@x",
                                                                               full_triples)
    assert values.content_hash("a@x", emptied_triples, ["custom.company"]) != \
        values.content_hash("a@x", emptied_triples)
