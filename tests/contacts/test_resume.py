"""A failure in the middle of a run (HTTP 5xx, a dropped connection) loses nothing: the run ends
failed with its cursor, the next run settles what was in flight and resumes after the cursor,
and every contact is uploaded exactly once (the emulator's upload counter and member list)."""

import threading
import time

import pytest
from django.db import connection

from contacts import uploads
from contacts.models import ContactState, ExportedContact, ExportRun, RunStatus
from contacts.services import export, store
from sendsay_admin.client import SendsayClient, SendsayTransportError
from sendsay_admin.models import SendsayErrorLog
from tests.contacts.conftest import emails, make_buyers
from tests.contacts.conftest import export as run_export

pytestmark = [pytest.mark.django_db, pytest.mark.tariff("paid")]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 10)
    monkeypatch.setattr(export, "SMALL_BATCH", 3)
    monkeypatch.setattr("contacts.selectors.CHUNK_SIZE", 10)


def fail_after_imports(monkeypatch, emulator, imports: int, **fault):
    """Inject `fault` (count-limited) into the emulator once `imports` imports went through."""
    original = SendsayClient.member_import
    seen = []

    def member_import(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen.append(result)
        if len(seen) == imports:
            emulator.fault(**fault)
        return result

    monkeypatch.setattr(SendsayClient, "member_import", member_import)


def assert_exactly_once(emulator, run, buyers):
    seen = emulator.inspect()
    assert seen["uploads"] == len(buyers)
    assert sorted(m["email"] for m in seen["members"]) == sorted(emails(buyers))
    assert emulator.list_members(run.list_id) == emails(buyers)
    assert not ExportedContact.objects.exclude(state=ContactState.DONE).exists()
    assert sum(ExportRun.objects.values_list("uploaded_new", flat=True)) == len(buyers)


def test_a_5xx_in_the_middle_fails_the_run_and_the_next_run_resumes(
        mapped, sendsay_emulator, storefront, small_batches, monkeypatch):
    buyers = make_buyers(35, storefront)
    fail_after_imports(monkeypatch, sendsay_emulator, 2, action="member.import", mode="http",
                       status=503, count=1)

    failed = run_export(mapped)

    assert failed.status == RunStatus.FAILED
    assert "http/503" in failed.error
    assert failed.cursor["id"] == buyers[19].pk  # two batches of 10 stored
    assert failed.uploaded == ExportedContact.objects.filter(state=ContactState.DONE).count() == 20
    assert SendsayErrorLog.objects.filter(error_id="http/503").exists()

    resumed = run_export(mapped)

    assert resumed.status == RunStatus.FINISHED
    assert resumed.resumed_from == failed
    assert (resumed.total, resumed.processed, resumed.uploaded) == (15, 15, 15)
    assert_exactly_once(sendsay_emulator, resumed, buyers)


def test_a_dropped_connection_while_polling_leaves_imports_pending_then_settled(
        mapped, sendsay_emulator, storefront, small_batches, monkeypatch):
    buyers = make_buyers(25, storefront)
    # Polling fails from the first import on, also for the failing run's last attempt.
    fail_after_imports(monkeypatch, sendsay_emulator, 1, action="track.get", mode="drop")

    failed = run_export(mapped)

    assert failed.status == RunStatus.FAILED
    assert "transport/" in failed.error
    pending = list(ExportedContact.objects.filter(state=ContactState.PENDING)
                   .order_by("user_id").values_list("user_id", flat=True))
    assert pending and len(pending) % 10 == 0  # whole imports, stored before polling
    assert failed.cursor["id"] == pending[-1] and failed.uploaded == 0
    sendsay_emulator.control("clear_faults")

    resumed = run_export(mapped)

    assert resumed.status == RunStatus.FINISHED
    assert resumed.uploaded == 25  # the pending imports settled, then the rest
    assert_exactly_once(sendsay_emulator, resumed, buyers)
    assert sendsay_emulator.inspect()["request_counts"]["member.import"] == 3


def test_a_failed_run_with_nothing_left_to_do_finishes_on_resume(
        mapped, sendsay_emulator, storefront, small_batches):
    buyers = make_buyers(12, storefront)
    sendsay_emulator.fault(action="member.import", mode="drop", count=1)

    failed = run_export(mapped)
    resumed = run_export(mapped)
    again = run_export(mapped)

    assert (failed.status, failed.cursor) == (RunStatus.FAILED, None)
    assert (resumed.status, resumed.uploaded) == (RunStatus.FINISHED, 12)
    assert (again.resumed_from, again.uploaded, again.skipped_unchanged) == (None, 0, 12)
    assert_exactly_once(sendsay_emulator, resumed, buyers)


def test_rows_sendsay_refuses_are_counted_with_reasons_and_sent_again(
        mapped, sendsay_emulator, storefront, small_batches):
    from sendsay_admin.models import FieldMapping

    buyers = make_buyers(12, storefront)  # one import of 10, then two member.set calls
    broken = FieldMapping.objects.create(  # a field deleted in Sendsay after it was mapped
        account=mapped, role="buyer", field_code="last_name", sendsay_path="custom.gone",
        sendsay_type="free")

    run = run_export(mapped)

    assert (run.status, run.uploaded, run.failed) == (RunStatus.FINISHED, 0, 12)
    assert {item["email"] for item in run.failure_reasons} == emails(buyers)
    assert "error/anketa/quest/not_found" in run.failure_reasons[0]["reason"]
    assert ExportedContact.objects.filter(state=ContactState.FAILED).count() == 12
    assert sendsay_emulator.inspect()["uploads"] == 0

    broken.delete()
    again = run_export(mapped)

    assert (again.status, again.uploaded, again.uploaded_new) == (RunStatus.FINISHED, 12, 12)
    assert_exactly_once(sendsay_emulator, again, buyers)


@pytest.mark.django_db(transaction=True)
def test_batches_stored_in_the_background_are_resumed_exactly_once(
        mapped, sendsay_emulator, storefront, small_batches, monkeypatch):
    """On PostgreSQL outside a transaction a thread of its own writes the PENDING rows
    (`PendingStore`); a failure in the middle still loses nothing and repeats nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("the PENDING rows are written in the background on PostgreSQL only")
    writes = []
    for name in ("contacts_store", "import_settle"):
        monkeypatch.setattr(store, name, spy(getattr(store, name), writes))
    buyers = make_buyers(35, storefront)
    fail_after_imports(monkeypatch, sendsay_emulator, 2, action="member.import", mode="http",
                       status=503, count=1)

    failed = run_export(mapped)

    assert failed.status == RunStatus.FAILED
    assert failed.cursor["id"] <= buyers[19].pk  # never past a batch not yet stored
    assert failed.uploaded == ExportedContact.objects.filter(state=ContactState.DONE).count() == 20

    resumed = run_export(mapped)

    assert resumed.status == RunStatus.FINISHED
    assert_exactly_once(sendsay_emulator, resumed, buyers)
    assert all(thread.startswith("export-store") for thread, _write, _track in writes)
    tracks = [track for _thread, write, track in writes if write == "contacts_store"]
    assert len(tracks) == 4  # each import's rows written, then its outcome, in that order
    assert [track for _thread, write, track in writes if write == "import_settle"] == tracks


def spy(write, seen: list):
    """`write` noting the thread it runs on, its name and its import (PENDING rows and
    outcomes only)."""

    def spied(*args, **kwargs):
        track = kwargs.get("track_id") or args[1]
        if write.__name__ == "import_settle" or args[3] == ContactState.PENDING:
            seen.append((threading.current_thread().name, write.__name__, track))
        return write(*args, **kwargs)

    return spied


def test_a_poll_failing_at_the_last_wait_counts_the_imports_settled_before(
        mapped, sendsay_emulator, storefront, small_batches, monkeypatch):
    """The second import's poll fails (late) while the run waits for its last tracks: the first
    import, settled before, is counted on the failed run; the next run settles the second."""
    buyers = make_buyers(20, storefront)  # two imports of 10
    finish, tracks = uploads.track_finish, []

    def track_finish(client, track_id, **kwargs):
        if track_id not in tracks:
            tracks.append(track_id)
        if tracks.index(track_id) == 1:
            time.sleep(0.3)  # seen by the last wait, not by the chunk's look
            raise SendsayTransportError(action="track.get", error_id="transport/connection")
        return finish(client, track_id, **kwargs)

    monkeypatch.setattr(uploads, "track_finish", track_finish)
    failed = run_export(mapped)

    assert failed.status == RunStatus.FAILED and "transport/connection" in failed.error
    assert failed.uploaded == ExportedContact.objects.filter(state=ContactState.DONE).count() == 10
    assert ExportedContact.objects.filter(state=ContactState.PENDING).count() == 10

    monkeypatch.setattr(uploads, "track_finish", finish)
    resumed = run_export(mapped)

    assert (resumed.status, resumed.uploaded) == (RunStatus.FINISHED, 10)
    assert_exactly_once(sendsay_emulator, resumed, buyers)
