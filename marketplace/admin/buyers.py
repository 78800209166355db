"""Admin for buyer profiles.

Registering a buyer, profile edits, interests and e-mail confirmation go through the buyer
services (`buyer_register`, `buyer_update_profile`, `buyer_set_interests`,
`buyer_confirm_email`), so every change is announced the same way as on the storefront.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from marketplace.models import BuyerProfile
from marketplace.services import (
    buyer_confirm_email,
    buyer_register,
    buyer_set_interests,
    buyer_update_profile,
)
from marketplace.services.buyers import PROFILE_FIELDS

from .common import LargeTableAdmin, adopt, apply_per_object, take_batch


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("e-mail confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_confirmed_at__isnull=self.value() == "no")
        return queryset


class BuyerAddForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("e-mail"),
        help_text=_(
            "A user with this e-mail gets the buyer profile; a new user is created if none."
        ),
    )
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if BuyerProfile.objects.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(
                _("%(email)s is already registered as a buyer."), params={"email": email}
            )
        return email


@admin.register(BuyerProfile)
class BuyerProfileAdmin(LargeTableAdmin):
    list_display = (
        "email",
        "full_name",
        "storefront",
        "city",
        "email_confirmed",
        "last_activity_at",
        "created_at",
    )
    list_select_related = ("user", "storefront")
    list_filter = (
        "storefront",
        EmailConfirmedFilter,
        "gender",
        ("created_at", admin.DateFieldListFilter),
        ("last_activity_at", admin.DateFieldListFilter),
    )
    search_fields = ("user__email", "user__username", "user__last_name", "city")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    sortable_by = ("email", "created_at", "last_activity_at")
    autocomplete_fields = ("interests",)
    actions = ("confirm_email",)
    add_fieldsets = (
        (None, {"fields": ("storefront", "email", "first_name", "last_name")}),
        (_("Profile"), {"fields": ("phone", "gender", "birth_date", "city")}),
    )
    fieldsets = (
        (None, {"fields": ("user", "storefront", "email_confirmed_at")}),
        (
            _("Profile"),
            {
                "fields": (
                    "phone",
                    "gender",
                    "birth_date",
                    "city",
                    "delivery_address",
                    "preferred_shipping_method",
                    "interests",
                )
            },
        ),
        (_("Activity"), {"fields": ("last_activity_at", "created_at", "updated_at")}),
    )

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, profile: BuyerProfile) -> str:
        return profile.user.email

    @admin.display(description=_("name"))
    def full_name(self, profile: BuyerProfile) -> str:
        return profile.user.get_full_name()

    @admin.display(description=_("confirmed"), boolean=True, ordering="email_confirmed_at")
    def email_confirmed(self, profile: BuyerProfile) -> bool:
        return profile.email_confirmed

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "user",
            "storefront",
            "email_confirmed_at",
            "last_activity_at",
            "created_at",
            "updated_at",
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BuyerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj: BuyerProfile, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name in PROFILE_FIELDS}
            if fields:
                buyer_update_profile(user=obj.user, **fields)
            return
        user = buyer_register(
            storefront=data["storefront"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"] or "",
            gender=data["gender"],
            birth_date=data["birth_date"],
            city=data["city"],
        )
        adopt(obj, user.buyer_profile)

    def save_related(self, request, form, formsets, change: bool) -> None:
        if change and "interests" in form.changed_data:
            buyer_set_interests(user=form.instance.user, categories=form.cleaned_data["interests"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Mark e-mail confirmed"), permissions=["change"])
    def confirm_email(self, request: HttpRequest, queryset) -> None:
        profiles = take_batch(self, request, queryset.select_related("user"))
        pending = [profile for profile in profiles if not profile.email_confirmed]
        if skipped := len(profiles) - len(pending):
            self.message_user(
                request,
                ngettext(
                    "%(count)s buyer had already confirmed.",
                    "%(count)s buyers had already confirmed.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )
        apply_per_object(
            self,
            request,
            pending,
            lambda profile: buyer_confirm_email(user=profile.user),
            done=gettext("E-mail confirmed:") + " %(objects)s",
            log_message=gettext("E-mail marked confirmed."),
        )
