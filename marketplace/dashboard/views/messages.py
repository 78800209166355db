"""The messages the marketplace sent (or is sending) to the company, from the outbox."""

from django.views.generic import ListView

from marketplace.dashboard import selectors
from marketplace.dashboard.mixins import SellerRequiredMixin


class MessageListView(SellerRequiredMixin, ListView):
    template_name = "dashboard/messages.html"
    context_object_name = "outbox_messages"
    paginate_by = 25

    def get_queryset(self):
        return selectors.company_messages(self.company, status=self._status())

    def get_context_data(self, **kwargs):
        from notifications.models import MessageStatus

        context = super().get_context_data(**kwargs)
        context["statuses"] = MessageStatus.choices
        context["status"] = self._status()
        return context

    def _status(self) -> str:
        from notifications.models import MessageStatus

        status = self.request.GET.get("status", "")
        return status if status in MessageStatus.values else ""
