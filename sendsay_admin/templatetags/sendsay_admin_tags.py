"""`{% sendsay_status_banner %}`: the state of every Sendsay account on the admin index."""

from __future__ import annotations

from django import template
from django.db import DatabaseError
from django.db.models import F
from django.urls import reverse

from sendsay_admin.models import SendsayAccount

register = template.Library()


@register.inclusion_tag("admin/sendsay_admin/status_banner.html", takes_context=True)
def sendsay_status_banner(context) -> dict:
    """Connected / disabled / failing (with the last error) / not configured, per account."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("sendsay_admin.view_sendsayaccount"):
        return {"show": False}
    try:
        accounts = list(SendsayAccount.objects.select_related("storefront").order_by(
            F("storefront__name").asc(nulls_first=True), "id"))
    except DatabaseError:
        return {"show": False}
    entries = [{"account": account, "state": account.state,
                "url": reverse("admin:sendsay_admin_sendsayaccount_change", args=[account.pk])}
               for account in accounts]
    can_add = user.has_perm("sendsay_admin.add_sendsayaccount")
    return {"show": True, "entries": entries,
            "add_url": reverse("admin:sendsay_admin_sendsayaccount_add") if can_add else ""}
