"""In-memory state of the emulator: accounts and everything they received, behind one lock.

Every handler runs while holding `EmulatorState.lock` (an RLock), so the records (see
`records.py`) need no locking of their own. Tracks (async jobs) advance over successive
`track.get` polls or over time, whichever is faster; a finishing track runs its job (for
example the rows of an import).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .errors import ApiError
from .records import Fault, Group, Member, Send, Sender, Track

TARIFFS = ("free", "paid")
#: [R] the free plan allows 200 contacts "added or imported"; counted as uploads here.
FREE_UPLOAD_LIMIT = 200
#: [I] "large" for a paid plan.
PAID_UPLOAD_LIMIT = 1_000_000


@dataclass
class Account:
    login: str
    apikey: str
    tariff: str = "free"
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    #: [R] a member id is permanent, kept across delete and re-create.
    member_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    uploads: int = 0
    groups: dict[str, Group] = field(default_factory=dict)
    custom_quests: dict[str, dict] = field(default_factory=dict)
    senders: dict[str, Sender] = field(default_factory=dict)
    drafts: dict[str, dict] = field(default_factory=dict)
    sends: list[Send] = field(default_factory=list)
    tracks: dict[str, Track] = field(default_factory=dict)
    pending_jobs: dict[str, Track] = field(default_factory=dict, repr=False)
    ssec_events: list[dict] = field(default_factory=list)
    sequences: list[dict] = field(default_factory=list)
    confirmations: list[dict] = field(default_factory=list)
    request_counts: Counter = field(default_factory=Counter)
    redirected: bool = False
    _counters: dict[str, itertools.count] = field(default_factory=dict, repr=False)

    @property
    def upload_limit(self) -> int:
        return FREE_UPLOAD_LIMIT if self.tariff == "free" else PAID_UPLOAD_LIMIT

    def next_id(self, kind: str) -> int:
        return next(self._counters.setdefault(kind, itertools.count(1)))

    def consume_upload(self) -> None:
        """Count one contact upload, or refuse it when the plan's limit is used up."""
        if self.uploads >= self.upload_limit:
            raise ApiError(
                "error/member/limit_exceeded",
                f"member.hard.limit={self.upload_limit} uploads used up",
            )
        self.uploads += 1

    def create_member(self, email: str, addr_type: str, *, confirmed: bool) -> Member:
        key = (addr_type, email)
        if key not in self.member_ids:
            self.member_ids[key] = self.next_id("member")
        member = Member(
            id=self.member_ids[key], email=email, addr_type=addr_type, confirmed=confirmed
        )
        self.members[key] = member
        return member

    def new_track(
        self, action: str, job: Callable[[], dict] | None = None, **info: object
    ) -> Track:
        track = Track(
            id=str(self.next_id("track")),
            action=action,
            created=time.monotonic(),
            info=dict(info),
            job=job,
        )
        self.tracks[track.id] = track
        if job is not None:
            self.pending_jobs[track.id] = track
        return track

    def advance_tracks(self, step_seconds: float, *, every: bool = False) -> None:
        """Let time move tracks on: those with a job (cheap, before each call) or `every` one."""
        now = time.monotonic()
        for track in list(self.tracks.values() if every else self.pending_jobs.values()):
            track.advance(now, step_seconds, poll=False)
            if track.finished:
                self.pending_jobs.pop(track.id, None)


class EmulatorState:
    """All accounts plus the emulator-wide settings: faults, REDIRECT, track pace."""

    def __init__(
        self,
        accounts: Iterable[Account] = (),
        *,
        redirect_prefix: str | None = None,
        redirect_mode: str = "first",
        track_step_seconds: float = 1.0,
    ) -> None:
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.faults: list[Fault] = []
        self.redirect_prefix = redirect_prefix
        self.redirect_mode = redirect_mode if redirect_prefix else "off"
        self.track_step_seconds = track_step_seconds
        self.requests: Counter = Counter()
        self.preset_senders: list[str] = []
        self._fault_ids = itertools.count(1)
        for account in accounts:
            self.accounts[account.login] = account

    def add_account(self, login: str, apikey: str, tariff: str = "free") -> Account:
        if tariff not in TARIFFS:
            raise ValueError(f"tariff must be one of {TARIFFS}, not {tariff!r}")
        with self.lock:
            account = Account(login=login, apikey=apikey, tariff=tariff)
            for email in self.preset_senders:
                account.senders[email] = Sender(email=email, label=email, confirmed=True)
            self.accounts[login] = account
            return account

    def account_by_key(self, apikey: str) -> Account | None:
        with self.lock:
            return next((a for a in self.accounts.values() if a.apikey == apikey), None)

    def reset(self) -> None:
        """Forget everything received; keep the accounts' logins, keys and tariffs."""
        with self.lock:
            for login, old in list(self.accounts.items()):
                self.add_account(login, old.apikey, old.tariff)
            self.faults.clear()
            self.requests.clear()

    def add_fault(self, **options: object) -> Fault:
        with self.lock:
            fault = Fault(id=next(self._fault_ids), **options)
            self.faults.append(fault)
            return fault

    def take_faults(self, action: str, login: str | None) -> list[Fault]:
        """The faults that apply to this call; count-limited ones are used up."""
        with self.lock:
            taken = []
            for fault in self.faults:
                if not fault.matches(action, login):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                taken.append(fault)
            for fault in taken:
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
            self.faults = [f for f in self.faults if f.count is None or f.count > 0]
            return taken
