"""Access to the dashboard: signed-in seller staff only, each request bound to its company."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse_lazy

from marketplace.models import Company, CompanyStatus, SellerProfile

LOGIN_URL = reverse_lazy("dashboard:login")


class SellerRequiredMixin(AccessMixin):
    """Anonymous visitors go to the dashboard login; signed-in users without a seller profile
    (or whose company is disabled) get a 403 page. Sets `self.company` for the view."""

    login_url = LOGIN_URL
    company: Company

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        profile = (
            SellerProfile.objects.select_related("company__storefront")
            .filter(user=request.user)
            .first()
        )
        if profile is None:
            return self.refuse(request, "not_seller")
        if profile.company.status == CompanyStatus.DISABLED:
            return self.refuse(request, "company_disabled")
        self.company = profile.company
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, request: HttpRequest, reason: str) -> HttpResponse:
        return TemplateResponse(
            request, "dashboard/forbidden.html", {"reason": reason}, status=403
        ).render()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["company"] = self.company
        return context


def error_text(error: ValidationError) -> str:
    """A service error as one line for a flash message (never a stack trace)."""
    return " ".join(error.messages)
