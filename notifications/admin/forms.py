"""Forms of the template admin: the override itself (checked by rendering it against sample
data), the unsaved draft a preview or test renders, and the preview / test inputs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from marketplace.models import Storefront
from notifications.events import Channel, Role, template_keys
from notifications.models import TemplateOverride
from notifications.rendering import preview

from .previews import preview_extras, preview_payload

CONTENT = ("subject", "html", "text", "sendsay_draft_id")


def key_value(event: str, role: str, channel: str, variant: str) -> str:
    return "|".join((event, role, channel, variant))


def key_choices() -> list[tuple[str, str]]:
    """Every (event, role, channel, variant) with a template, as "event/role/channel.variant"."""
    seen = dict.fromkeys(
        (key_value(e, r, c, v), f"{e} / {r} / {c}{'.' + v if v else ''}")
        for e, r, c, v in template_keys())
    return list(seen)


def event_choices() -> list[tuple[str, str]]:
    names = dict.fromkeys(event for event, _r, _c, _v in template_keys())
    return [(name, name) for name in names]


def variant_choices() -> list[tuple[str, str]]:
    variants = dict.fromkeys(v for _e, _r, _c, v in template_keys() if v)
    return [("", _("— none —")), *[(v, v) for v in variants]]


class OverrideDraftForm(forms.Form):
    """The override fields as posted by the change form, for a preview or a test send of what
    is on the screen (unsaved; nothing is validated against the stored overrides)."""

    event = forms.ChoiceField(choices=event_choices)
    role = forms.ChoiceField(choices=Role.choices)
    channel = forms.ChoiceField(choices=Channel.choices)
    variant = forms.ChoiceField(choices=variant_choices, required=False)
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    storefront = forms.ModelChoiceField(queryset=Storefront.objects.all(), required=False)
    subject = forms.CharField(required=False, strip=False)
    html = forms.CharField(required=False, strip=False)
    text = forms.CharField(required=False, strip=False)
    sendsay_draft_id = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        check_key(data)
        return data

    def override(self) -> TemplateOverride:
        data = self.cleaned_data
        return TemplateOverride(
            event=data["event"], role=data["role"], channel=data["channel"],
            variant=data.get("variant") or "", language=data["language"],
            storefront=data.get("storefront"),
            **{name: data.get(name) or "" for name in CONTENT},
        )


def check_key(data: dict) -> None:
    key = (data.get("event"), data.get("role"), data.get("channel"), data.get("variant") or "")
    if None in key[:3]:
        return
    if key not in set(template_keys()):
        raise ValidationError(
            _("%(event)s has no template for %(role)s over %(channel)s%(variant)s: choose a "
              "combination from the list “Start from the shipped default”."),
            params={"event": key[0], "role": key[1], "channel": key[2],
                    "variant": f" (variant {key[3]})" if key[3] else ""},
            code="unknown_template")


class TemplateOverrideForm(forms.ModelForm):
    """The stored override. Saving renders it against the event's sample data first: a syntax
    error or a variable the event does not carry is shown here, never sent as a blank."""

    event = forms.ChoiceField(choices=event_choices, label=capfirst(_("event")))
    variant = forms.ChoiceField(choices=variant_choices, required=False,
                                label=capfirst(_("variant")),
                                help_text=_("Order status templates: the status it is for."))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=capfirst(_("language")))

    class Meta:
        model = TemplateOverride
        fields = ("event", "role", "channel", "variant", "language", "storefront", "active",
                  "subject", "html", "text", "sendsay_draft_id")
        widgets = {
            "subject": forms.TextInput(attrs={"size": 90}),
            "html": forms.Textarea(attrs={"rows": 18, "cols": 100, "spellcheck": "false"}),
            "text": forms.Textarea(attrs={"rows": 10, "cols": 100, "spellcheck": "false"}),
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        check_key(data)
        override = TemplateOverride(**{name: data.get(name) or "" for name in CONTENT},
                                    event=data["event"], role=data["role"],
                                    channel=data["channel"], variant=data.get("variant") or "",
                                    language=data["language"])
        result = preview(override.event, override.role, override.channel, override.variant,
                         override.language, None,
                         preview_payload(override.event, override.variant),
                         extras=preview_extras(override.event), override=override)
        if result.error:
            raise ValidationError(
                _("This template cannot be rendered with the event's data: %(error)s"),
                params={"error": result.error}, code="template_error")
        return data


class PreviewSourceForm(forms.Form):
    """Which data a preview or a test send renders: the sample, a real order or a real user."""

    SOURCES = [("sample", _("sample data")), ("order", _("a real order")),
               ("user", _("a real user"))]
    source = forms.ChoiceField(choices=SOURCES, initial="sample", widget=forms.RadioSelect,
                               label=_("Render with"))
    order = forms.IntegerField(required=False, min_value=1, label=_("Order id"))
    user = forms.IntegerField(required=False, min_value=1, label=_("User id"))
    to = forms.EmailField(required=False, label=_("Send a test to"),
                          help_text=_("An address of yours; the subject starts with [TEST]."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "preview")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source in ("order", "user") and not data.get(source):
            self.add_error(source, _("Enter the id of the %(what)s to render with.")
                           % {"what": _("order") if source == "order" else _("user")})
        return data

    def refs(self) -> dict:
        source = self.cleaned_data["source"]
        if source == "order":
            return {"order_id": self.cleaned_data["order"]}
        if source == "user":
            return {"user_id": self.cleaned_data["user"]}
        return {}
