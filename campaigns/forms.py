"""Admin forms of campaigns: the campaign itself, launching, preview and test send."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Role

from .models import Campaign


class CampaignForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("whole roles"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Without a segment: every active user of these roles. A person in two "
                    "roles gets one message, with the content of the first (buyers, sellers, "
                    "administrators)."),
    )

    class Meta:
        model = Campaign
        fields = ("name", "segment", "roles", "channel", "broadcast_group_id", "storefront",
                  "throttle_rate", "quiet_start", "quiet_end")
        widgets = {"quiet_start": forms.TimeInput(format="%H:%M"),
                   "quiet_end": forms.TimeInput(format="%H:%M")}

    def clean(self):
        data = super().clean()
        campaign = Campaign(channel=data.get("channel") or "")
        if campaign.is_broadcast:
            if not data.get("broadcast_group_id"):
                self.add_error("broadcast_group_id",
                               _("A broadcast needs the Sendsay group of the community."))
            data["roles"], data["segment"] = [], None
        elif data.get("segment") and data.get("roles"):
            self.add_error("roles", _("Choose a segment or whole roles, not both."))
        elif not data.get("segment") and not data.get("roles"):
            self.add_error("roles", _("Choose a segment or at least one whole role."))
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both ends of the quiet hours, or neither."))
        return data


class LaunchForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("send at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now. Your time zone is the project's (TIME_ZONE)."),
    )

    def clean_send_at(self):
        when = self.cleaned_data.get("send_at")
        if when is not None and when < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError(_("This moment has passed; leave it empty to send now."))
        return when


class PreviewForm(forms.Form):
    role = forms.ChoiceField(label=_("content of"), choices=Role.choices)
    email = forms.EmailField(
        label=_("as received by"), required=False,
        help_text=_("E-mail of an audience member (empty: the first one)."),
    )


class TestSendForm(forms.Form):
    role = forms.ChoiceField(label=_("content of"), choices=Role.choices)
    to = forms.CharField(
        label=_("send to"), max_length=254,
        help_text=_("An e-mail address, or the phone / Telegram / VK id for those channels."),
    )
    sample_email = forms.EmailField(label=_("rendered as for"), required=False)
