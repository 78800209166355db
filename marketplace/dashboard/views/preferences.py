"""The company's notification preferences and warehouse contacts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from marketplace.dashboard.forms import PreferencesForm
from marketplace.dashboard.mixins import SellerRequiredMixin
from marketplace.services.company_contacts import (
    company_notification_settings_get,
    company_preferences_update,
)


class PreferencesView(SellerRequiredMixin, FormView):
    template_name = "dashboard/preferences.html"
    form_class = PreferencesForm

    def get_initial(self):
        row = company_notification_settings_get(company=self.company)
        return PreferencesForm.initial_for(self.company, row)

    def form_valid(self, form):
        try:
            company_preferences_update(
                company=self.company, by=self.request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Preferences saved."))
        return redirect("dashboard:preferences")
