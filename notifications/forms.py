"""The preference form: marketing on or off per channel (transactional messages always go)."""

from __future__ import annotations

from django import forms

from .events import Channel


class PreferencesForm(forms.Form):
    """One checkbox per channel: "send me news and offers this way"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for channel in Channel:
            self.fields[f"marketing_{channel.value}"] = forms.BooleanField(
                label=channel.label, required=False
            )

    @classmethod
    def initial_from(cls, allowed: dict[str, bool]) -> dict[str, bool]:
        return {f"marketing_{channel}": value for channel, value in allowed.items()}

    def marketing(self) -> dict[str, bool]:
        return {channel.value: self.cleaned_data[f"marketing_{channel.value}"]
                for channel in Channel}
