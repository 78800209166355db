"""The upload budget: how many contact uploads the export may still use.

[R] the free plan allows 200 contact *uploads*: a contact deleted and uploaded again counts
twice. So the budget counts uploads, not contacts in the list: every address Sendsay accepts for
the first time costs one, updates of an address already there cost nothing [I: the emulator's
reading, and what `member.hard.rest` then reports]. Used = the larger of Sendsay's own count
(member.hard.limit - member.hard.rest, read at every run and by the connection check) and ours
(addresses the export has had accepted), so uploads made elsewhere (segment sync, the Sendsay UI)
count too. The limit is the admin's `ExportSettings.budget_override`, else the plan's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from sendsay_admin.client import SendsayClient
from sendsay_admin.models import SendsayAccount

from ..models import ContactState, ExportedContact, ExportSettings

#: The share of the budget at which the admin is warned.
WARN_AT = 0.8


@dataclass(frozen=True)
class Budget:
    limit: int | None
    source: str
    used_sendsay: int | None
    used_ours: int | None

    @property
    def used(self) -> int:
        return max(self.used_sendsay or 0, self.used_ours or 0)

    @property
    def remaining(self) -> int | None:
        """Uploads left; None without a known limit (no plan limit read, no override)."""
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def percent(self) -> int | None:
        if not self.limit:
            return None
        return min(999, round(self.used * 100 / self.limit))

    @property
    def warning(self) -> bool:
        return budget_warns(self.limit, self.used)

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0


def budget_warns(limit: int | None, used: int) -> bool:
    return bool(limit) and used >= WARN_AT * limit


def uploads_ours(account: SendsayAccount) -> int:
    """Addresses the export has had accepted (or has in flight) for this account."""
    return ExportedContact.objects.filter(account=account).filter(
        Q(in_sendsay=True) | Q(state=ContactState.PENDING)).count()


def budget_status(*, account: SendsayAccount, settings: ExportSettings | None = None,
                  fresh: bool = False) -> Budget:
    """The budget from the stored account check and our own count (no network). `fresh`: the
    account's numbers were just read from Sendsay, which then counts every upload ours
    included, so our own count (a scan of the exported contacts) is left out."""
    override = settings.budget_override if settings is not None else None
    plan_used = None
    if account.contacts_limit is not None and account.contacts_rest is not None:
        plan_used = max(0, account.contacts_limit - account.contacts_rest)
    if override is not None:
        limit, source = override, "override"
    elif account.contacts_limit is not None:
        limit, source = account.contacts_limit, "plan"
    else:
        limit, source = None, "unknown"
    ours = None if fresh and plan_used is not None else uploads_ours(account)
    return Budget(limit, source, plan_used, ours)


def budget_refresh(*, client: SendsayClient, account: SendsayAccount) -> None:
    """Read member.hard.limit / member.hard.rest now and store them on the account."""
    info = client.settings_get(["member.hard.limit", "member.hard.rest"])
    account.contacts_limit = _int(info.get("member.hard.limit"), account.contacts_limit)
    account.contacts_rest = _int(info.get("member.hard.rest"), account.contacts_rest)
    SendsayAccount.objects.filter(pk=account.pk).update(
        contacts_limit=account.contacts_limit, contacts_rest=account.contacts_rest)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
