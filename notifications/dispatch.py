"""The one place that chooses how a message goes out: Sendsay, SMTP, an e-mail fallback or not."""

from __future__ import annotations

from dataclasses import dataclass

from sendsay_admin.services import (
    account_for_storefront,
    client_for_account,
    fallback_connection,
    module_is_active,
    sender_is_usable,
)

from .channels.base import ChannelBackend, sender_parts
from .channels.sendsay import SendsayBackend
from .channels.smtp import SmtpBackend
from .events import STOREFRONT_ROLES, Channel, Role

SENDSAY, SMTP = SendsayBackend.name, SmtpBackend.name


@dataclass(frozen=True)
class Envelope:
    """What dispatch needs to know about one message (plain values, no ORM objects)."""

    channel: Channel
    role: Role
    to: str
    sender: str
    storefront_id: int | None
    fallback_email: str = ""  # "" when there is none or the event already e-mails them


@dataclass(frozen=True)
class Route:
    backend: str
    channel: Channel  # the channel actually used (e-mail on a fallback)
    to: str
    scope: int | None  # storefront whose Sendsay account is used; None: marketplace-wide
    note: str = ""  # why it is not the obvious route, kept on the attempt

    def uses_draft(self, draft_id: str) -> bool:
        return bool(draft_id) and self.backend == SENDSAY and self.channel == Channel.EMAIL


@dataclass(frozen=True)
class Skip:
    reason: str


def scope_of(role: str, storefront_id: int | None) -> int | None:
    return storefront_id if role in STOREFRONT_ROLES else None


class Dispatcher:
    """Route decisions and backends for one batch: caches what it looked up and the backends
    it built (one SMTP connection, one client per Sendsay account), closes them at the end."""

    def __init__(self) -> None:
        self._active: dict[int | None, bool] = {}
        self._usable: dict[str, bool] = {}
        self._backends: dict[tuple, ChannelBackend] = {}
        self._accounts: dict[int | None, object] = {}

    def sendsay_active(self, scope: int | None) -> bool:
        if scope not in self._active:
            self._active[scope] = module_is_active(scope)
        return self._active[scope]

    def sender_usable(self, sender: str) -> bool:
        address = sender_parts(sender)[1].lower()
        if address not in self._usable:
            self._usable[address] = bool(address) and sender_is_usable(address)
        return self._usable[address]

    def route(self, envelope: Envelope) -> Route | Skip:
        """The rules (DESIGN.md section 5.6):

        * buyer and seller messages use the Sendsay account of the event's storefront (its own
          or the shared one); admin, warehouse and quality messages the marketplace-wide one;
        * e-mail goes through Sendsay when `module_is_active` for that scope AND the sender
          passes `sender_is_usable` (corporate, confirmed); otherwise through SMTP;
        * SMS, messengers and push need Sendsay; without it they fall back to e-mail through
          SMTP (the e-mail template of the same event and role) when the recipient has an
          address and does not get this occurrence by e-mail already; else SKIPPED;
        * a template naming a Sendsay draft goes as the draft only through Sendsay e-mail
          (`Route.uses_draft`); every other route renders the local content.
        """
        scope = scope_of(envelope.role, envelope.storefront_id)
        active = self.sendsay_active(scope)
        if envelope.channel == Channel.EMAIL:
            if active and self.sender_usable(envelope.sender):
                return Route(SENDSAY, Channel.EMAIL, envelope.to, scope)
            note = "sender not confirmed in Sendsay" if active else "Sendsay module off"
            return Route(SMTP, Channel.EMAIL, envelope.to, scope, note=note)
        if active:
            return Route(SENDSAY, envelope.channel, envelope.to, scope)
        if envelope.fallback_email:
            return Route(SMTP, Channel.EMAIL, envelope.fallback_email, scope,
                         note=f"{envelope.channel} needs Sendsay (module off): sent by e-mail")
        return Skip(f"{envelope.channel} needs the Sendsay module, which is off for this "
                    "storefront, and there is no e-mail fallback (no address, or the event "
                    "already goes to this recipient by e-mail)")

    def backend(self, route: Route) -> ChannelBackend:
        """The backend for `route`, built once per batch (connections open on first send)."""
        if route.backend == SMTP:
            key: tuple = (SMTP,)
            if key not in self._backends:
                self._backends[key] = SmtpBackend(fallback_connection())
            return self._backends[key]
        if route.scope not in self._accounts:
            self._accounts[route.scope] = account_for_storefront(route.scope)
        account = self._accounts[route.scope]
        key = (SENDSAY, account.pk)
        if key not in self._backends:
            self._backends[key] = SendsayBackend(client_for_account(account))
        return self._backends[key]

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()
        self._backends.clear()
