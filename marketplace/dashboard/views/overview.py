"""The overview: counts by status, sales and revenue, and the orders / sales charts."""

from django.views.generic import TemplateView

from marketplace.dashboard import selectors
from marketplace.dashboard.mixins import SellerRequiredMixin


class OverviewView(SellerRequiredMixin, TemplateView):
    template_name = "dashboard/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overview"] = selectors.company_overview(self.company)
        context["chart_data"] = selectors.company_daily_series(self.company, days=30)
        context["progress"] = selectors.company_progress(self.company)
        return context
