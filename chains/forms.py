"""Admin forms of chains: registry codes and chain letters as choices (read at form time)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Chain, ChainStep

BLANK = [("", "---------")]


def _trigger_choices():
    return BLANK + [(t.code, f"{t.label} ({t.audience})") for t in registry.TRIGGERS.values()]


def _condition_choices():
    return BLANK + [(c.code, f"{c.label} ({c.audience})") for c in registry.CONDITIONS.values()]


def _letter_choices():
    return BLANK + [(f"{event}:{variant}", label)
                    for event, variant, label in registry.chain_letters()]


class ChainForm(forms.ModelForm):
    trigger = forms.TypedChoiceField(label=_("enrol on"), required=False, choices=_trigger_choices,
                                     help_text=Chain._meta.get_field("trigger").help_text)
    exit_condition = forms.TypedChoiceField(
        label=_("exit condition"), required=False, choices=_condition_choices,
        help_text=Chain._meta.get_field("exit_condition").help_text,
    )

    class Meta:
        model = Chain
        fields = ("name", "code", "audience", "active", "trigger", "exit_condition", "subject",
                  "mode", "sendsay_trigger", "sendsay_sequence_id", "sendsay_event_type",
                  "sendsay_event_fields")


class ChainStepForm(forms.ModelForm):
    """A step picks its letter as one "event:variant" choice."""

    letter = forms.ChoiceField(label=_("letter"), choices=_letter_choices)

    class Meta:
        model = ChainStep
        fields = ("position", "delay_days", "delay_hours", "letter", "subject")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.event:
            self.initial["letter"] = f"{self.instance.event}:{self.instance.variant}"

    def clean(self):
        cleaned = super().clean()
        event, _sep, variant = (cleaned.get("letter") or "").partition(":")
        self.instance.event, self.instance.variant = event, variant
        return cleaned
