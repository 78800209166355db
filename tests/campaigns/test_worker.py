"""A campaign resumed after its worker was killed sends nobody the message twice: real Celery
worker processes, the real SMTP protocol, SIGKILL at the worst moment.

The sink kills the worker while it waits for the "250 accepted" of message KILL_AT: the sink
has the message, the worker never recorded it. That row is the one the job cannot know about;
it must not be sent again (at most once). The second worker resumes with the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from audience.models import Role
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.services import campaign_launch, campaigns_dispatch_due
from sendsay_admin.devtools.smtp_sink import free_port
from tests import factories, workers
from tests.workers import ROOT, require_broker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 30
KILL_AT = 12


class KillingSink:
    """An SMTP server that records every recipient and SIGKILLs `victim` (a pid) while it
    waits for the reply to message number `kill_at`."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.victim: int | None = None
        self.received: list[str] = []
        self.killed = threading.Event()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
            count = len(self.received)
        if count == self.kill_at and self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.killed.set()
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class Worker:
    """`celery worker` (solo pool: the job runs in this very process) on a private queue."""

    def __init__(self, queue: str, env: dict[str, str]) -> None:
        self.log = Path(ROOT / "var" / f"{queue}-{uuid.uuid4().hex[:6]}.log")
        self._log_file = self.log.open("w+b")
        command = [sys.executable, "-m", "celery", "-A", "sendsay_admin", "worker",
                   "--queues", queue, "--hostname", f"{self.log.stem}@%h", "--concurrency",
                   "1", "--pool", "solo", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "--loglevel", "INFO"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log_file,
                                        stderr=subprocess.STDOUT)

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()
        self.log.unlink(missing_ok=True)


@pytest.fixture
def sink():
    server = KillingSink(KILL_AT)
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def queue(settings):
    name = f"test-campaigns-{uuid.uuid4().hex[:8]}"
    settings.CAMPAIGNS_CELERY_QUEUE = name
    settings.CAMPAIGNS_LEASE_SECONDS = 2
    return name


@pytest.fixture
def start_worker(queue, sink):
    require_broker()
    env = {**os.environ, "DATABASE_URL": workers.test_database_url(), "EMAIL_URL": sink.url,
           "DJANGO_SETTINGS_MODULE": "tests.campaigns.worker_settings",
           "CAMPAIGNS_TEST_BASE_SETTINGS": os.environ["DJANGO_SETTINGS_MODULE"],
           "CAMPAIGNS_LEASE_SECONDS": "2", "CAMPAIGNS_CELERY_QUEUE": queue}
    started: list[Worker] = []

    def start(**extra: str) -> Worker:
        worker = Worker(queue, {**env, **extra})
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def status_counts(campaign) -> Counter:
    return Counter(CampaignRecipient.objects.filter(campaign=campaign)
                   .values_list("status", flat=True))


@pytest.mark.parametrize("rate", [None, 40], ids=["unthrottled", "throttled"])
def test_campaign_resumed_after_a_killed_worker_sends_no_duplicate(
        shop, make_campaign, sink, start_worker, rate):
    buyers = [factories.BuyerProfileFactory(storefront=shop).user for _ in range(RECIPIENTS)]
    expected = {user.email for user in buyers}
    campaign = make_campaign(roles=[Role.BUYER], throttle_rate=rate)
    first = start_worker()
    sink.victim = first.process.pid
    campaign_launch(campaign=campaign)  # enqueued on commit: autocommit here
    assert sink.killed.wait(timeout=90), first.output()
    assert first.process.wait(timeout=10) == -signal.SIGKILL
    sending = CampaignRecipient.objects.filter(campaign=campaign,
                                               status=RecipientStatus.SENDING)
    assert sending.exists()  # claimed, never confirmed: what the dead worker left behind
    assert status_counts(campaign)[RecipientStatus.SENT] == KILL_AT - 1

    second = start_worker()
    time.sleep(2.2)  # the dead worker's lease runs out
    assert campaigns_dispatch_due() == [campaign.pk]  # what beat does every 30 s
    finished = wait_until(lambda: Campaign.objects.get(pk=campaign.pk).status
                          == CampaignStatus.FINISHED, timeout=90)
    assert finished, second.output()
    time.sleep(0.5)  # anything extra would have arrived by now

    received = Counter(sink.received)
    assert set(received) == expected
    assert [address for address, n in received.items() if n > 1] == []
    counts = status_counts(campaign)
    assert counts == {RecipientStatus.SENT: RECIPIENTS - 1, RecipientStatus.UNKNOWN: 1}
    unknown = CampaignRecipient.objects.get(campaign=campaign, status=RecipientStatus.UNKNOWN)
    assert unknown.address == sink.received[KILL_AT - 1]  # the one in flight at the kill


def test_with_grouped_marks_a_kill_leaves_up_to_a_group_unknown_and_still_no_duplicate(
        shop, make_campaign, sink, start_worker):
    """CAMPAIGNS_CONFIRM_EVERY=5: SENT marks go in groups of five. Killed at message 12 (10
    marked, 11 sent but not marked, 12 in flight): rows 11-15 may have gone, so none of them
    is sent again; 16-30 are; nobody gets the message twice."""
    buyers = [factories.BuyerProfileFactory(storefront=shop).user for _ in range(RECIPIENTS)]
    campaign = make_campaign(roles=[Role.BUYER])
    first = start_worker(CAMPAIGNS_CONFIRM_EVERY="5")
    sink.victim = first.process.pid
    campaign_launch(campaign=campaign)
    assert sink.killed.wait(timeout=90), first.output()
    first.process.wait(timeout=10)
    assert status_counts(campaign)[RecipientStatus.SENT] == 10

    second = start_worker(CAMPAIGNS_CONFIRM_EVERY="5")
    time.sleep(2.2)
    assert campaigns_dispatch_due() == [campaign.pk]
    assert wait_until(lambda: Campaign.objects.get(pk=campaign.pk).status
                      == CampaignStatus.FINISHED, timeout=90), second.output()
    time.sleep(0.5)
    received = Counter(sink.received)
    assert max(received.values()) == 1
    rows = list(CampaignRecipient.objects.filter(campaign=campaign).order_by("pk")
                .values_list("address", "status"))
    assert [status for _a, status in rows] == (
        [RecipientStatus.SENT] * 10 + [RecipientStatus.UNKNOWN] * 5 + [RecipientStatus.SENT] * 15)
    assert set(received) == {a for a, _s in rows[:12] + rows[15:]}  # 13-15 never went out
    assert {user.email for user in buyers} == {a for a, _s in rows}
