"""Onboarding progress, the sales count and the next milestone."""

from django.views.generic import TemplateView

from marketplace.dashboard import selectors
from marketplace.dashboard.mixins import SellerRequiredMixin


class ProgressView(SellerRequiredMixin, TemplateView):
    template_name = "dashboard/progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["progress"] = selectors.company_progress(self.company)
        context["milestones"] = selectors.milestones()
        return context
