"""Admin actions of the Connection screen: check connection, module switch, SMTP test send."""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sendsay_admin.services import (
    account_set_enabled,
    connection_check,
    smtp_fallback_status,
    smtp_test_send,
)

from .common import URL_PREFIX, account_get, reported
from .forms import TestSendForm


def _back(account) -> HttpResponse:
    return redirect(f"admin:{URL_PREFIX}_change", account.pk)


def _report_check(request: HttpRequest, account) -> None:
    result = connection_check(account=account)
    if result.ok:
        tariff = f", tariff {account.tariff}" if account.tariff else ""
        messages.success(request, f"{result.message}{tariff}.")
    elif result.error_id in ("not_configured", "configuration"):
        messages.error(request, f"Connection failed: {result.message}")
    else:
        detail = f": {result.explain}" if result.explain else ""
        messages.error(request, f"Connection failed. Sendsay error {result.error_id}{detail}")


@require_POST
def check_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    account = account_get(model_admin, request, object_id, change=True)
    _report_check(request, account)
    return _back(account)


@require_POST
def toggle_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    """Enable (then check the connection at once) or disable the module."""
    account = account_get(model_admin, request, object_id, change=True)
    enable = request.POST.get("enabled") == "1"
    account_set_enabled(account=account, enabled=enable)
    if enable:
        messages.info(request, "The Sendsay module is enabled.")
        _report_check(request, account)
    else:
        messages.warning(request, "The Sendsay module is disabled: all mail goes through SMTP.")
    return _back(account)


@require_POST
def smtp_test_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    account = account_get(model_admin, request, object_id, change=False)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address for the test message.")
        return _back(account)
    status = smtp_fallback_status()
    with reported(request):
        try:
            smtp_test_send(to=form.cleaned_data["to"])
        except (smtplib.SMTPException, OSError) as exc:
            messages.error(request, f"The SMTP test failed: {type(exc).__name__}: {exc}")
        else:
            messages.success(request, f"Test message sent to {form.cleaned_data['to']} via "
                                      f"{status.backend.rsplit('.', 2)[-2]} ({status.message})")
    return _back(account)
