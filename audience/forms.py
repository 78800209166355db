"""The segment rules form: the model's rule fields plus the per-role check, and the resolved
rules of its (possibly unsaved) data for the live count."""

from __future__ import annotations

from django import forms

from .models import Segment
from .rules import FORM_FIELDS, SegmentRules
from .selectors import rules_resolve

RULE_FIELDS = (
    "role", "storefronts",
    "age_min", "age_max", "gender", "birthday_within_days", "shipping_methods", "categories",
    "last_activity_after", "last_activity_before", "orders_min", "orders_max",
    "spent_min", "spent_max", "abandoned_cart_hours", "email_confirmed",
    "seller_status", "products_min", "products_max", "sales_min", "sales_max",
)
_M2M = {form_field: rule for rule, form_field in FORM_FIELDS.items()}


class SegmentRulesForm(forms.ModelForm):
    """Only the rules (no name): what the live count binds the unsaved admin form to."""

    class Meta:
        model = Segment
        fields = RULE_FIELDS
        widgets = {
            "storefronts": forms.CheckboxSelectMultiple,
            "shipping_methods": forms.CheckboxSelectMultiple,
            "email_confirmed": forms.NullBooleanSelect,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if "role" not in cleaned:
            return cleaned
        for name, message in self._plain_rules(cleaned).problems().items():
            field = FORM_FIELDS.get(name, name)
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def rules(self) -> SegmentRules:
        """The valid form's rules with the chosen categories expanded (one query at most)."""
        return rules_resolve(self.cleaned_data, **self._ids(self.cleaned_data))

    def _plain_rules(self, cleaned: dict) -> SegmentRules:
        return SegmentRules.from_values(cleaned, self._ids(cleaned))

    @staticmethod
    def _ids(cleaned: dict) -> dict[str, list[int]]:
        # The chosen objects were fetched while cleaning; reading their ids costs no query.
        return {rule: [obj.pk for obj in cleaned.get(field) or ()]
                for field, rule in _M2M.items()}


class SegmentForm(SegmentRulesForm):
    """The admin's add/change form."""

    class Meta(SegmentRulesForm.Meta):
        fields = ("name", *RULE_FIELDS)
