"""Sendsay upload helpers shared by the contact export and the segment sync (`audience`): lists
(find, check, create), member.import tracks (poll, wait with back-off, read the result) and the
confirmed state of members read back in bulk.

They take a built `SendsayClient` and raise its `SendsayError`s; nothing here touches models.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sendsay_admin.client import (
    TRACK_FAILED_STATUSES,
    SendsayAPIError,
    SendsayClient,
    SendsayTimeoutError,
)

#: group.list returns at most 50 lists per call [C].
GROUP_PAGE = 50
#: member.get requests per `batch` call when reading confirmed states back.
READ_BATCH = 100
#: Import polling: first pause, growth factor and longest pause (seconds). Short first pauses
#: suit small imports and the emulator; a long import settles at one poll every 2 s.
POLL_FIRST, POLL_GROWTH, POLL_MAX = 0.02, 2.0, 2.0
#: Track status "finished successfully" [C]; running while >= 0.
TRACK_DONE = -1


def group_id_of(reply: dict[str, Any]) -> str:
    """The id of a group.create reply (``obj.id`` [I], else a top-level ``id``)."""
    group_id = str((reply.get("obj") or {}).get("id") or reply.get("id") or "")
    if not group_id:
        raise SendsayAPIError(action="group.create", error_id="client/missing_group_id",
                              explain="no obj.id in the reply")
    return group_id


def list_create(client: SendsayClient, name: str) -> str:
    """Create an e-mail list named `name`; its id."""
    return group_id_of(client.group_create(name, type="list", addr_type="email"))


def list_exists(client: SendsayClient, group_id: str) -> bool:
    """True when the list is still there (group.get); False on error/group/not_found."""
    try:
        client.group_get(group_id)
    except SendsayAPIError as exc:
        if exc.error_id != "error/group/not_found":
            raise
        return False
    return True


def list_find(client: SendsayClient, name: str) -> str | None:
    """The id of an existing list called `name` (group.list, paged), or None."""
    skip = 0
    while True:
        page = client.call("group.list", first=GROUP_PAGE, skip=skip).get("list") or []
        for item in page:
            if isinstance(item, dict) and item.get("name") == name and \
                    item.get("type", "list") == "list":
                return str(item.get("id"))
        if len(page) < GROUP_PAGE:
            return None
        skip += GROUP_PAGE


@dataclass(frozen=True)
class ImportOutcome:
    """The result of a finished member.import track [I: `obj.result` and `obj.errors`]."""

    status: int
    ok: int
    failed: int
    refusals: list[dict[str, Any]] = field(default_factory=list)
    job_error: str = ""
    #: Contacts the import created (None when the result does not say).
    created: int | None = None

    @property
    def unnamed_failures(self) -> int:
        """Refused rows Sendsay did not list (it names the first 100 only)."""
        return max(0, self.failed - len(self.refusals))


def import_outcome(track: dict[str, Any], rows: int) -> ImportOutcome:
    """Read a final import track; a failed job (-2, -3, -6) refuses every row."""
    status = int(track.get("status", TRACK_DONE))
    if status in TRACK_FAILED_STATUSES:
        error = track.get("error") if isinstance(track.get("error"), dict) else {}
        reason = error.get("id") or f"track status {status}"
        if error.get("explain"):
            reason += f": {error['explain']}"
        return ImportOutcome(status, 0, rows, [], reason)
    result = track.get("result") if isinstance(track.get("result"), dict) else {}
    failed = int(result.get("failed") or 0)
    ok = int(result.get("ok", rows - failed) or 0)
    refusals = [item for item in track.get("errors") or [] if isinstance(item, dict)]
    created = result.get("created")
    return ImportOutcome(status, ok, failed, refusals,
                         created=int(created) if isinstance(created, int) else None)


def refusal_reason(item: dict[str, Any]) -> str:
    reason = str(item.get("id") or "refused")
    return f"{reason}: {item['explain']}" if item.get("explain") else reason


def track_poll(client: SendsayClient, track_id: str) -> dict[str, Any] | None:
    """One track.get: the final track object, or None while it still runs."""
    track = client.track_get(track_id)
    return track if track["status"] < 0 else None


def track_finish(
    client: SendsayClient, track_id: str, *, timeout: float,
    sleep: Callable[[float], Any] = time.sleep,
) -> dict[str, Any]:
    """Poll with a growing pause until the track is final; `SendsayTimeoutError` (retryable)
    after `timeout` seconds. Final failure statuses are returned, not raised."""
    deadline, pause = time.monotonic() + timeout, POLL_FIRST
    while (track := track_poll(client, track_id)) is None:
        if time.monotonic() + pause > deadline:
            raise SendsayTimeoutError(f"track {track_id} still running after {timeout:g} s",
                                      action="track.get", error_id="client/track_timeout")
        sleep(pause)
        pause = min(POLL_MAX, pause * POLL_GROWTH)
    return track


def member_confirmed(member: Any) -> bool | None:
    """The confirmed flag of a member.get `member` object [I: `confirmed` or `status`]."""
    if not isinstance(member, dict):
        return None
    flag = member.get("confirmed")
    if flag is not None:
        return str(flag).strip().lower() in ("1", "true", "yes")
    status = str(member.get("status") or "").lower()
    return (status in ("confirmed", "active", "1")) if status else None


def members_confirmed(client: SendsayClient, emails: Iterable[str]) -> dict[str, bool | None]:
    """Each address's confirmed state, read with member.get inside `batch` calls [C: the
    official JS client's batch; the request field `do` is [I]]. A member Sendsay does not know
    or an unreadable answer gives None."""
    found: dict[str, bool | None] = {}
    pending = list(emails)
    for start in range(0, len(pending), READ_BATCH):
        chunk = pending[start:start + READ_BATCH]
        reply = client.call("batch", do=[
            {"action": "member.get", "email": email, "addr_type": "email"} for email in chunk])
        results = reply.get("result") if isinstance(reply.get("result"), list) else []
        for email, item in zip(chunk, results, strict=False):
            member = item.get("member") if isinstance(item, dict) else None
            found[email] = member_confirmed(member)
    return found
