"""The records the emulator keeps: members, groups, senders, tracks, sends and faults.

Plain dataclasses with an `as_dict()`/`summary()` for replies and inspection; they are only
touched while `EmulatorState.lock` is held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ApiError

#: Track stage -> status: 0 accepted, 2 in process, then the final status (-1 ok, -2 error).
_STAGE_STATUS = (0, 2)


def now_dt() -> str:
    """Sendsay prints times as `YYYY-MM-DD hh:mm:ss` (local time here) [I]."""
    return time.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Member:
    id: int
    email: str
    addr_type: str
    confirmed: bool
    data: dict = field(default_factory=dict)
    created: str = field(default_factory=now_dt)
    updated: str = field(default_factory=now_dt)

    def groups(self) -> list[str]:
        return sorted(gid for gid, value in (self.data.get("-group") or {}).items() if value)

    def summary(self) -> dict:
        return {
            "id": self.id,
            "email": self.email,
            "addr_type": self.addr_type,
            "confirmed": int(self.confirmed),
            "status": "confirmed" if self.confirmed else "unconfirmed",
            "create.time": self.created,
            "update.time": self.updated,
        }


@dataclass
class Group:
    id: str
    name: str
    type: str
    addr_type: str
    filter: object = None
    created: str = field(default_factory=now_dt)
    updated: str = field(default_factory=now_dt)

    def as_dict(self) -> dict:
        item = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "addr_type": self.addr_type,
            "create.time": self.created,
            "update.time": self.updated,
        }
        if self.type == "filter":
            item["filter"] = self.filter
        return item


@dataclass
class Sender:
    email: str
    label: str
    confirmed: bool = False
    created: str = field(default_factory=now_dt)

    def as_dict(self) -> dict:
        return {
            "email": self.email,
            "name": self.email,
            "label": self.label,
            "confirmed": int(self.confirmed),
            "status": "confirmed" if self.confirmed else "unconfirmed",
            "create.time": self.created,
        }


@dataclass
class Track:
    id: str
    action: str
    created: float
    dt: str = field(default_factory=now_dt)
    polls: int = 0
    status: int = 0
    info: dict = field(default_factory=dict)
    job: Callable[[], dict] | None = None

    @property
    def finished(self) -> bool:
        return self.status < 0

    def advance(self, now: float, step_seconds: float, *, poll: bool) -> None:
        """Move along 0 -> 2 -> final, one stage per poll or per `step_seconds` of age."""
        if self.finished:
            return
        by_time = int((now - self.created) / step_seconds) if step_seconds > 0 else 0
        stage = max(self.polls, by_time)
        if poll:
            self.polls += 1
        if stage < len(_STAGE_STATUS):
            self.status = _STAGE_STATUS[stage]
            return
        self.status = -1
        if self.job is not None:
            try:
                self.info.update(self.job())
            except ApiError as exc:
                self.status = -2
                self.info["error"] = exc.as_dict()
            self.job = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "dt": self.dt,
            "action": self.action,
            **self.info,
        }


@dataclass
class Send:
    issue_id: int
    track_id: str
    channel: str
    group: str
    sendwhen: str
    recipients: list[dict]
    letter: dict
    extra: object = None
    dt: str = field(default_factory=now_dt)
    stats: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "issue.id": self.issue_id,
            "track.id": self.track_id,
            "channel": self.channel,
            "group": self.group,
            "sendwhen": self.sendwhen,
            "recipients": self.recipients,
            "letter": self.letter,
            "extra": self.extra,
            "dt": self.dt,
            "stats": self.stats,
        }


@dataclass
class Fault:
    """An injected failure; `count` None means "until cleared"; the first `skip` matching
    calls go through untouched (a failure in the middle of a run)."""

    id: int
    mode: str
    action: str | None = None
    login: str | None = None
    latency_ms: float = 0
    error_id: str = "error/emulator/fault"
    explain: object = None
    status: int = 503
    count: int | None = None
    skip: int = 0
    hits: int = 0

    def matches(self, action: str, login: str | None) -> bool:
        if self.action not in (None, "*", action):
            return False
        return self.login is None or self.login == login

    def as_dict(self) -> dict:
        return {
            key: getattr(self, key)
            for key in (
                "id",
                "mode",
                "action",
                "login",
                "latency_ms",
                "error_id",
                "explain",
                "status",
                "skip",
                "count",
                "hits",
            )
        }
