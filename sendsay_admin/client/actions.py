"""`SendsayClient`: the transport plus thin, typed wrappers for the actions the product uses.

Each wrapper builds exactly one request body and returns the whole reply dict, except where
the docstring says otherwise (`settings_get`, `member_import`, `group_list`, `track_get`,
`track_wait`). Errors are those of `SendsayTransport.call`; wrappers add only
`SendsayTrackError`/`SendsayTimeoutError` (track_wait) and `SendsayAPIError` with an id in
``client/...`` when a documented reply field is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .constants import GROUP_MASSSENDING, GROUP_PERSONAL, TRACK_FAILED_STATUSES, TrackStatus
from .errors import SendsayAPIError, SendsayTimeoutError, SendsayTrackError
from .transport import SendsayTransport

JSON = dict[str, Any]


def _recipients(email: str | Sequence[str]) -> JSON:
    """One address goes in `email`, several in `list` (member.delete, sequence.member.*)."""
    return {"email": email} if isinstance(email, str) else {"list": list(email)}


def _flag(value: bool | int) -> int:
    return 1 if value else 0


class SendsayClient(SendsayTransport):
    """Sendsay API client. Pure Python: no Django, no settings.

    >>> client = SendsayClient("x_123", "key")          # doctest: +SKIP
    >>> client.member_set("a@example.com", newbie_confirm=False)  # doctest: +SKIP
    """

    # -- account ---------------------------------------------------------------------------

    def pong(self) -> JSON:
        """Authenticated health check: ``{"ping": <ts>, "account": ..., "sublogin": ...}``."""
        return self.call("pong")

    def settings_get(self, keys: list[str] | None = None) -> JSON:
        """`sys.settings.get`; returns the ``list`` dict (key -> value), not the whole reply."""
        params: JSON = {"list": list(keys)} if keys else {}
        return self.call("sys.settings.get", **params).get("list") or {}

    # -- members ---------------------------------------------------------------------------

    def member_set(
        self,
        email: str,
        *,
        addr_type: str = "email",
        datakey: list[list[Any]] | None = None,
        newbie_confirm: bool | None = None,
        if_exists: str = "overwrite",
        return_fresh_obj: bool = False,
        **extra: Any,
    ) -> JSON:
        """Create or update one subscriber. `datakey` is a list of ``[path, mode, value]``.

        `newbie_confirm=None` leaves ``newbie.confirm`` out (the contact is sendable at once);
        dotted params such as ``newbie.letter.confirm`` go through ``**extra``.
        """
        params: JSON = {"email": email, "addr_type": addr_type, "if_exists": if_exists}
        if datakey is not None:
            params["datakey"] = datakey
        if newbie_confirm is not None:
            params["newbie.confirm"] = _flag(newbie_confirm)
        if return_fresh_obj:
            params["return_fresh_obj"] = 1
        return self.call("member.set", **params, **extra)

    def member_get(self, email: str, *, addr_type: str = "email", datakey: Any = "*") -> JSON:
        return self.call("member.get", email=email, addr_type=addr_type, datakey=datakey)

    def member_delete(self, email: str | Sequence[str], *, addr_type: str | None = None) -> JSON:
        params = _recipients(email)
        if addr_type is not None:
            params["addr_type"] = addr_type
        return self.call("member.delete", **params)

    def member_import(
        self,
        rows: list[list[Any]],
        caption: list[dict[str, Any]],
        *,
        addr_type: str = "email",
        if_exists: str = "overwrite",
        group_id: str | None = None,
        newbie_confirm: bool | None = None,
    ) -> str:
        """Bulk import (asynchronous); returns the track id to poll with `track_wait`.

        `caption` items look like ``{"datakey": "member.email", "mode": "set"}``; each row has
        one cell per caption item. `group_id` adds every imported contact to that list.
        """
        params: JSON = {
            "addr_type": addr_type,
            "if_exists": if_exists,
            "users.list": {"caption": caption, "rows": rows},
        }
        if group_id is not None:
            params["auto_group"] = {"id": group_id}
        if newbie_confirm is not None:
            params["newbie.confirm"] = _flag(newbie_confirm)
        return self._track_id("member.import", self.call("member.import", **params))

    # -- groups and profile data -----------------------------------------------------------

    def group_create(
        self,
        name: str,
        *,
        group_id: str | None = None,
        type: str = "list",
        addr_type: str = "email",
    ) -> JSON:
        """Create a list (``type="list"``) or a segment (``type="filter"``)."""
        params: JSON = {"name": name, "type": type, "addr_type": addr_type}
        if group_id is not None:
            params["id"] = group_id
        return self.call("group.create", **params)

    def group_list(self) -> list[JSON]:
        """`group.list`; returns the ``list`` items."""
        return self.call("group.list").get("list") or []

    def group_get(self, group_id: str) -> JSON:
        return self.call("group.get", id=group_id)

    def anketa_get(self, anketa_id: str) -> JSON:
        """The anketa is under ``obj`` (``order``, ``quests``) [R]."""
        return self.call("anketa.get", id=anketa_id)

    def anketa_quest_add(self, anketa_id: str, quest: JSON) -> JSON:
        """Add a question, e.g. ``{"id": "q1", "name": "City", "type": "free", "width": 256}``."""
        return self.call("anketa.quest.add", **{"anketa.id": anketa_id, "obj": quest})

    # -- sending ---------------------------------------------------------------------------

    def issue_send_personal(
        self,
        email: str,
        *,
        letter: JSON,
        addr_type: str = "email",
        extra: JSON | None = None,
        sendwhen: str = "now",
    ) -> JSON:
        """Send one letter to one address (transactional). Reply has ``track.id``."""
        params: JSON = {
            "group": GROUP_PERSONAL,
            "email": email,
            "addr_type": addr_type,
            "sendwhen": sendwhen,
            "letter": letter,
        }
        if extra is not None:
            params["extra"] = extra
        return self.call("issue.send", **params)

    def issue_send_group(
        self,
        group_id: str,
        *,
        letter: JSON,
        sendwhen: str = "now",
        later_time: str | datetime | None = None,
    ) -> JSON:
        """Send to a list or segment. ``sendwhen="later"`` needs `later_time`
        (a datetime is sent as ``YYYY-MM-DD hh:mm:ss``; its time zone is not documented [I])."""
        if sendwhen == "later" and later_time is None:
            raise ValueError('sendwhen="later" needs later_time')
        params: JSON = {"group": group_id, "sendwhen": sendwhen, "letter": letter}
        if later_time is not None:
            if isinstance(later_time, datetime):
                later_time = later_time.strftime("%Y-%m-%d %H:%M:%S")
            params["later.time"] = later_time
        return self.call("issue.send", **params)

    def issue_send_express(self, users_list: str, *, letter: JSON) -> JSON:
        """Express send: `users_list` is CSV text, header row first (``member.email;...``)."""
        return self.call(
            "issue.send",
            group=GROUP_MASSSENDING,
            sendwhen="now",
            letter=letter,
            **{"users.list": users_list},
        )

    def emailsender_list(self) -> JSON:
        """Registered sender addresses; the item fields are not documented [I]."""
        return self.call("issue.emailsender.list")

    def emailsender_set(self, email: str, label: str = "") -> JSON:
        """Register a sender address; Sendsay mails it a confirmation link."""
        return self.call("issue.emailsender.set", obj={"name": email, "label": label})

    # -- async jobs ------------------------------------------------------------------------

    def track_get(self, track_id: str | int) -> JSON:
        """`track.get`; returns the track object (``obj``) with an int ``status``."""
        reply = self.call("track.get", id=track_id)
        track = reply.get("obj") if isinstance(reply.get("obj"), dict) else reply
        try:
            return {**track, "status": int(track["status"])}
        except (TypeError, KeyError, ValueError):
            raise SendsayAPIError(
                action="track.get", error_id="client/missing_status", explain="no obj.status"
            ) from None

    def track_wait(
        self,
        track_id: str | int,
        *,
        timeout: float = 60,
        interval: float = 0.5,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> JSON:
        """Poll `track.get` while the status is >= 0 and return the final track object.

        Final -1 (done), -4 (later) and -5 (on moderation) are returned; -2, -3 and -6 raise
        `SendsayTrackError`. Still running after `timeout` seconds (counted both as the sum of
        sleeps and on the monotonic clock) raises `SendsayTimeoutError` (retryable).
        """
        started, waited = time.monotonic(), 0.0
        while True:
            track = self.track_get(track_id)
            status = track["status"]
            if status < 0:
                if status in TRACK_FAILED_STATUSES:
                    name = TrackStatus(status).name.lower()
                    raise SendsayTrackError(
                        f"track {track_id} ended with status {status}",
                        action="track.get",
                        error_id=f"track/{name}",
                        track_id=str(track_id),
                        status=status,
                        track=track,
                    )
                return track
            remaining = timeout - max(waited, time.monotonic() - started)
            if remaining <= 0:
                raise SendsayTimeoutError(
                    f"track {track_id} still has status {status} after {timeout:g} s",
                    action="track.get",
                    error_id="client/track_timeout",
                )
            pause = min(interval, remaining)
            sleep(pause)
            waited += pause

    # -- statistics, automations, e-commerce -----------------------------------------------

    def stat_uni(self, select: list[str], filter: list[JSON] | None = None, **kw: Any) -> JSON:
        """`stat.uni`; `kw` passes ``order``, ``skip``, ``first``, ``result``, ``join``..."""
        params: JSON = {"select": select}
        if filter is not None:
            params["filter"] = filter
        return self.call("stat.uni", **params, **kw)

    def sequence_member_start(
        self, sequence_id: str | int, email: str | Sequence[str], *, addr_type: str = "email"
    ) -> JSON:
        """Put one address (or a list) into a workflow, skipping its start event [R]."""
        return self.call(
            "sequence.member.start", id=sequence_id, addr_type=addr_type, **_recipients(email)
        )

    def sequence_member_stop(
        self, sequence_id: str | int, email: str | Sequence[str], *, addr_type: str = "email"
    ) -> JSON:
        return self.call(
            "sequence.member.stop", id=sequence_id, addr_type=addr_type, **_recipients(email)
        )

    def ssec_events(self, events: list[JSON]) -> JSON:
        """Send e-commerce events (see `constants.SsecEventType`) to the ssec endpoint."""
        return self.ssec_post(events)

    @staticmethod
    def _track_id(action: str, reply: JSON) -> str:
        track_id = reply.get("track.id")
        if track_id in (None, ""):
            raise SendsayAPIError(
                action=action, error_id="client/missing_track_id", explain="no track.id in reply"
            )
        return str(track_id)
