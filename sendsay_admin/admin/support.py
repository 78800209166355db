"""The Support report page: the text to copy into a message to Sendsay support."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from sendsay_admin.services import support_report

from .common import account_get, page_context


def support_view(request: HttpRequest, model_admin, object_id: str) -> HttpResponse:
    account = account_get(model_admin, request, object_id, change=False)
    context = page_context(model_admin, request, account, "Report for Sendsay support")
    context["report"] = support_report(account=account)
    return TemplateResponse(request, "admin/sendsay_admin/support.html", context)
