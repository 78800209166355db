"""Forms of the Sendsay admin: the account form with a write-only API key, and the small ones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sendsay_admin.fields import QUEST_ID_RE, QUEST_TYPE_LABELS, QuestType
from sendsay_admin.models import SendsayAccount

LOGIN_HELP = _(
    "The API login can differ from the login you use on the Sendsay website: in Sendsay, open "
    "the user icon at the top right to see it."
)
KEY_HELP = _(
    "Generate the key in Sendsay: Settings → Users → a user → API key. The key is generated "
    "per administrator user, not for the account owner: if you are the owner, create a "
    "separate user (for example with the Manager role) and generate the key for that user. "
    "The key is stored encrypted and is never shown again."
)
KEY_STORED_HELP = _(
    "A key is stored. Leave this blank to keep it, or type a new key to replace it."
)


def _no_space(value: str, what: str) -> str:
    if any(char.isspace() for char in value):
        raise forms.ValidationError(_("The %(what)s must not contain spaces."),
                                    params={"what": what})
    return value


class SendsayAccountForm(forms.ModelForm):
    """Login plus a write-only API key: the key is never rendered back into the page."""

    api_key = forms.CharField(
        label=_("API key"), required=False, strip=True, help_text=KEY_HELP,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = SendsayAccount
        fields = ["storefront", "login"]
        help_texts = {"login": LOGIN_HELP}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].required = True
        if self.instance.pk and self.instance.has_api_key:
            self.fields["api_key"].help_text = f"{KEY_STORED_HELP} {KEY_HELP}"

    def clean_login(self) -> str:
        login = _no_space((self.cleaned_data.get("login") or "").strip(), "login")
        if any(char in login for char in "/?#"):
            raise forms.ValidationError(_("The login must not contain /, ? or #."))
        return login

    def clean_api_key(self) -> str:
        key = _no_space(self.cleaned_data.get("api_key") or "", "API key")
        if not key and not (self.instance.pk and self.instance.has_api_key):
            raise forms.ValidationError(_("Enter the API key."))
        return key


class CustomFieldForm(forms.Form):
    """A new question of Sendsay's custom anketa."""

    code = forms.CharField(
        label=_("Code"), max_length=64,
        help_text=_("Latin letters, digits and _; the field becomes custom.CODE."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(
        label=_("Type"), choices=[(t.value, QUEST_TYPE_LABELS[t]) for t in QuestType
                                  if t not in (QuestType.ONE, QuestType.MANY)],
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not QUEST_ID_RE.match(code):
            raise forms.ValidationError(_("Start with a letter; use Latin letters, digits, _."))
        return code


class TestSendForm(forms.Form):
    to = forms.EmailField(label=_("Send a test message to"))
