"""Shared pieces of the Sendsay admin pages: the account lookup, page context, error messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from sendsay_admin.client import SendsayConfigurationError, SendsayError
from sendsay_admin.crypto import SecretDecryptError, SecretsKeyError
from sendsay_admin.models import SendsayAccount
from sendsay_admin.services import SendsayAdminError

URL_PREFIX = "sendsay_admin_sendsayaccount"


def url_name(suffix: str) -> str:
    return f"admin:{URL_PREFIX}_{suffix}"


def account_url(suffix: str, account: SendsayAccount) -> str:
    return reverse(url_name(suffix), args=[account.pk])


def sendsay_error_text(exc: SendsayError) -> str:
    """Sendsay's error id and explanation as one admin message (never a traceback)."""
    text = f"Sendsay error {exc.error_id or type(exc).__name__}"
    if exc.explain:
        text += f": {exc.explain}"
    elif exc.message:
        text += f": {exc.message}"
    if exc.action:
        text += f" (action {exc.action})"
    return text


@contextmanager
def reported(request: HttpRequest) -> Iterator[None]:
    """Turn Sendsay errors and the app's refusals inside the block into admin messages."""
    try:
        yield
    except SendsayError as exc:
        messages.error(request, sendsay_error_text(exc))
    except (SendsayAdminError, SecretDecryptError, SecretsKeyError,
            SendsayConfigurationError) as exc:
        messages.error(request, str(exc))


def account_get(model_admin, request: HttpRequest, object_id: str, *, change: bool):
    """The account, or 404 / 403 according to the user's permissions."""
    account = model_admin.get_object(request, object_id)
    if account is None:
        raise Http404("No such Sendsay account.")
    allowed = (model_admin.has_change_permission(request, account) if change
               else model_admin.has_view_permission(request, account))
    if not allowed:
        raise PermissionDenied
    return account


def page_context(model_admin, request: HttpRequest, account: SendsayAccount, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": account,
        "account": account,
        "title": title,
        "subtitle": str(account),
        "change_url": reverse(f"admin:{URL_PREFIX}_change", args=[account.pk]),
    }


def back_to(suffix: str, account: SendsayAccount):
    return redirect(account_url(suffix, account))
