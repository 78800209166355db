"""The Senders page: every address the product sends from, its checks, refresh and confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from sendsay_admin.models import SenderAddress
from sendsay_admin.services import (
    sender_checks,
    sender_request_confirmation,
    sender_uses,
    senders_collect,
    senders_refresh,
)

from .common import account_get, back_to, page_context, reported


def _post(request: HttpRequest, account) -> None:
    action = request.POST.get("action")
    with reported(request):
        if action == "refresh":
            rows = senders_refresh(account=account)
            confirmed = sum(row.confirmed_in_sendsay for row in rows)
            messages.success(request, f"Refreshed from Sendsay: {confirmed} of {len(rows)} "
                                      "address(es) confirmed.")
        elif action == "request":
            address = get_object_or_404(SenderAddress, pk=request.POST.get("address"))
            sender_request_confirmation(account=account, address=address)
            messages.success(request, f"Sendsay sent a confirmation link to {address.email}. "
                                      "Click it, then refresh.")
        else:
            messages.error(request, "Unknown action.")


def senders_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    account = account_get(model_admin, request, object_id, change=request.method == "POST")
    if request.method == "POST":
        _post(request, account)
        return back_to("senders", account)
    rows = {row.email: row for row in senders_collect()}
    entries = [{"row": rows[use.email], "use": use, "checks": sender_checks(rows[use.email])}
               for use in sender_uses() if use.email in rows]
    context = page_context(model_admin, request, account, "Sender addresses")
    context["entries"] = entries
    return TemplateResponse(request, "admin/sendsay_admin/senders.html", context)
