"""Sender addresses: collected from storefronts and marketplace settings, checked (syntax,
corporate domain, confirmed in Sendsay), confirmation requested through issue.emailsender.set.

Rule: buyers of a storefront get mail from that storefront's company e-mail, administrators
from the marketplace-wide ("all storefronts") e-mail. Nothing goes through Sendsay from an
address that fails a check (`sender_is_usable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from marketplace.models import MarketplaceSettings, Storefront
from sendsay_admin.client import SendsayError
from sendsay_admin.freemail import domain_of, is_free_mail
from sendsay_admin.models import SenderAddress, SendsayAccount

from .accounts import errors_recorded
from .bridge import client_for_account
from .exceptions import AccountNotConfiguredError, SenderRefusedError


@dataclass(frozen=True)
class SenderUse:
    email: str
    label: str
    used_by: tuple[str, ...]


@dataclass(frozen=True)
class SenderChecks:
    syntax_ok: bool
    corporate: bool
    confirmed: bool

    @property
    def usable(self) -> bool:
        return self.syntax_ok and self.corporate and self.confirmed

    @property
    def problems(self) -> list[str]:
        return [text for ok, text in (
            (self.syntax_ok, "not a valid e-mail address"),
            (self.corporate, "a free-mail domain: Sendsay accepts only corporate addresses"),
            (self.confirmed, "not confirmed in Sendsay"),
        ) if not ok]


def _normal(email: str) -> str:
    return (email or "").strip().lower()


def sender_uses() -> list[SenderUse]:
    """Every address the product sends from, with who gets mail from it."""
    uses: dict[str, dict[str, Any]] = {}
    marketplace = MarketplaceSettings.load()
    entries = [(marketplace.all_storefronts_email, "All storefronts",
                "administrators (all storefronts)")]
    entries += [(s.company_email, s.company_name or s.name, f"buyers of {s.name}")
                for s in Storefront.objects.order_by("name")]
    for email, label, who in entries:
        if not _normal(email):
            continue
        use = uses.setdefault(_normal(email), {"label": label, "used_by": []})
        use["used_by"].append(who)
    return [SenderUse(email, u["label"], tuple(u["used_by"])) for email, u in uses.items()]


def senders_collect() -> list[SenderAddress]:
    """Create a `SenderAddress` row for every address in use; return them in use order."""
    rows = []
    for use in sender_uses():
        row, _created = SenderAddress.objects.get_or_create(
            email=use.email, defaults={"label": use.label[:200]}
        )
        rows.append(row)
    return rows


def _syntax_ok(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def sender_checks(address: SenderAddress) -> SenderChecks:
    return SenderChecks(
        syntax_ok=_syntax_ok(address.email),
        corporate=not is_free_mail(address.email),
        confirmed=address.confirmed_in_sendsay,
    )


def _confirmed(item: dict) -> bool:
    """[I] the list item fields are undocumented: accept a confirmed flag or status."""
    flag = item.get("confirmed")
    if flag is not None:
        return str(flag).strip().lower() in ("1", "true", "yes")
    return str(item.get("status") or "").lower() in ("confirmed", "active", "1")


def senders_refresh(*, account: SendsayAccount) -> list[SenderAddress]:
    """Read issue.emailsender.list and store each address's confirmed flag."""
    rows = senders_collect()
    with errors_recorded(account), client_for_account(account) as client:
        reply = client.emailsender_list()
    known: dict[str, bool] = {}
    for item in reply.get("list") or []:
        if isinstance(item, dict):
            known[_normal(item.get("email") or item.get("name") or "")] = _confirmed(item)
    now = timezone.now()
    for row in rows:
        row.confirmed_in_sendsay = known.get(row.email, False)
        row.checked_at = now
        row.last_check_message = (
            "Confirmed in Sendsay." if row.confirmed_in_sendsay
            else "Registered, waiting for the confirmation link to be clicked."
            if row.email in known else "Not registered in Sendsay: request confirmation."
        )
        row.save(update_fields=["confirmed_in_sendsay", "checked_at", "last_check_message"])
    return rows


def sender_request_confirmation(*, account: SendsayAccount, address: SenderAddress) -> None:
    """Register the address in Sendsay, which mails it a confirmation link.

    Raises `SenderRefusedError` for an invalid or free-mail address (nothing is sent) and
    `SendsayError` (recorded on the account and the address) when Sendsay refuses.
    """
    checks = sender_checks(address)
    if not (checks.syntax_ok and checks.corporate):
        reason = checks.problems[0]
        address.last_check_message = f"Refused: {reason}."
        address.save(update_fields=["last_check_message"])
        raise SenderRefusedError(f"The address {address.email} cannot be a sender: {reason} "
                                 f"({domain_of(address.email) or 'no domain'}).")
    try:
        with errors_recorded(account), client_for_account(account) as client:
            client.emailsender_set(address.email, address.label)
    except (SendsayError, AccountNotConfiguredError) as exc:
        address.last_check_message = f"Sendsay refused: {exc}"
        address.save(update_fields=["last_check_message"])
        raise
    address.confirmation_requested_at = timezone.now()
    address.last_check_message = (
        f"Sendsay sent a confirmation link to {address.email}; click it, then refresh."
    )
    address.save(update_fields=["confirmation_requested_at", "last_check_message"])


def sender_is_usable(email: str) -> bool:
    """True when `email` is a known sender that passes every check (syntax, corporate domain,
    confirmed in Sendsay). The notification engine and the mail backend use Sendsay only then."""
    row = SenderAddress.objects.filter(email=_normal(email)).first()
    return row is not None and sender_checks(row).usable
