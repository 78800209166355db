"""The Sendsay list contacts are exported to, named after the company (created when missing)."""

from __future__ import annotations

from collections import Counter

from marketplace.models import Storefront
from sendsay_admin.client import SendsayClient
from sendsay_admin.models import SendsayAccount

from .. import uploads
from ..models import ExportedContact, ExportSettings
from ..selectors import served_storefronts

FALLBACK_NAME = "Marketplace contacts"


def list_name_for(account: SendsayAccount, settings: ExportSettings) -> str:
    """The admin's name, else the company name of the storefronts the account serves (the most
    common one when they differ), else the Sendsay account's name."""
    if settings.list_name.strip():
        return settings.list_name.strip()
    mode, ids = served_storefronts(account)
    storefronts = Storefront.objects.order_by("pk")
    storefronts = storefronts.filter(pk__in=ids) if mode == "only" else storefronts.exclude(
        pk__in=ids)
    names = [name.strip() for name in storefronts.values_list("company_name", flat=True)
             if name.strip()]
    if names:
        return Counter(names).most_common(1)[0][0]
    return account.account_name or FALLBACK_NAME


def list_ensure(*, client: SendsayClient, account: SendsayAccount,
                settings: ExportSettings) -> str:
    """The stored list id when the list still exists in this login; else an existing list of
    the company's name (group.list), else a new one (group.create). A different login than the
    one the list was made in means another Sendsay account: what was exported is forgotten."""
    if settings.group_login and settings.group_login != account.login:
        ExportedContact.objects.filter(account=account).delete()
        settings.group_id = ""
    if settings.group_id and uploads.list_exists(client, settings.group_id):
        return settings.group_id
    name = list_name_for(account, settings)
    group_id = uploads.list_find(client, name) or uploads.list_create(client, name)
    settings.group_id, settings.group_name, settings.group_login = group_id, name, account.login
    settings.save(update_fields=["group_id", "group_name", "group_login", "updated_at"])
    return group_id
