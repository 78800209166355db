"""Admin for seller companies and their staff.

Registering a company, adding staff and changing a company's status are business changes:
they go through `seller_register`, `seller_add_staff` and `company_set_status`. Editing a
company's addresses and phones is plain data.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.models import (
    Company,
    CompanyNotificationSettings,
    CompanyStatus,
    SellerProfile,
    User,
)
from marketplace.services import company_set_status, seller_add_staff, seller_register

from .common import ReadOnlyInline, adopt, apply_per_object, save_changed_fields


def _refuse_if_seller(user: User | None, email: str = "") -> None:
    """The form-level twin of the services' "already works for a seller company" rule."""
    if user is None and email:
        user = User.objects.filter(email__iexact=email).select_related("seller_profile").first()
    if user is not None and user.is_seller:
        raise forms.ValidationError(
            _("%(email)s already works for a seller company."), params={"email": user.email}
        )


class CompanyAddForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        label=_("owner"),
        queryset=User.objects.all(),
        required=False,
        help_text=_("Leave empty to use the user with the company's e-mail, or create one."),
    )

    def clean(self):
        data = super().clean()
        if not self.has_error("email"):
            _refuse_if_seller(data.get("owner"), data.get("email", ""))
        return data


class NotificationSettingsInline(ReadOnlyInline):
    """The company's messenger ids and channels; the seller edits them in the vendor dashboard."""

    model = CompanyNotificationSettings
    fields = ("telegram_id", "vk_id", "channels", "updated_at")
    readonly_fields = fields


class StaffInline(ReadOnlyInline):
    """The company's staff; people are added on the seller staff page (`seller_add_staff`)."""

    model = SellerProfile
    fields = ("user", "is_owner", "created_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


def _company_status_action(status: CompanyStatus):
    def action(model_admin: "CompanyAdmin", request: HttpRequest, queryset) -> None:
        label = status.label
        apply_per_object(
            model_admin,
            request,
            queryset,
            lambda company: company_set_status(company=company, status=status, by=request.user),
            done=gettext("Status “%(status)s” set:") % {"status": label} + " %(objects)s",
            log_message=gettext("Status set to “%(status)s”.") % {"status": label},
        )

    action.__name__ = f"set_status_{status.value}"
    return admin.action(
        description=format_lazy(_("Set status “{status}”"), status=status.label),
        permissions=["change"],
    )(action)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "storefront", "status", "email", "phone", "created_at", "orders_link")
    list_select_related = ("storefront",)
    list_filter = ("status", "storefront", ("created_at", admin.DateFieldListFilter))
    search_fields = ("name", "email", "warehouse_email")
    date_hierarchy = "created_at"
    actions = [_company_status_action(status) for status in CompanyStatus]
    inlines = (StaffInline, NotificationSettingsInline)
    add_fieldsets = (
        (None, {"fields": ("storefront", "name", "email", "phone", "owner")}),
        (_("Warehouse"), {"fields": ("warehouse_email", "warehouse_phone")}),
    )
    fieldsets = (
        (None, {"fields": ("storefront", "name", "status", "email", "phone")}),
        (_("Warehouse"), {"fields": ("warehouse_email", "warehouse_phone")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("orders"))
    def orders_link(self, company: Company) -> str:
        url = reverse(f"{self.admin_site.name}:marketplace_order_changelist")
        return format_html(
            '<a href="{}?company__id__exact={}">{}</a>', url, company.pk, _("orders")
        )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("storefront", "status", "created_at", "updated_at")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CompanyAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            user_field = SellerProfile._meta.get_field("user")
            form.base_fields["owner"].widget = AutocompleteSelect(user_field, self.admin_site)
        return form

    def save_model(self, request, obj: Company, form, change: bool) -> None:
        if change:
            save_changed_fields(obj, form)  # names and addresses; never a stale status
            return
        data = form.cleaned_data
        company = seller_register(
            storefront=data["storefront"],
            company_name=data["name"],
            email=data["email"],
            phone=data["phone"] or "",
            warehouse_email=data["warehouse_email"],
            warehouse_phone=data["warehouse_phone"] or "",
            user=data["owner"],
        )
        adopt(obj, company)


class StaffAddForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("e-mail"),
        help_text=_("The user with this e-mail joins the company; a new user is created if none."),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        _refuse_if_seller(None, email)
        return email


@admin.register(SellerProfile)
class SellerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "company", "is_owner", "created_at")
    list_select_related = ("user", "company")
    list_filter = ("is_owner", "company__storefront")
    search_fields = ("user__username", "user__email", "company__name")
    autocomplete_fields = ("company",)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, profile: SellerProfile) -> str:
        return profile.user.email

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("company", "email")
        return ("user", "company", "is_owner", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("user", "company", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StaffAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj: SellerProfile, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # only `is_owner` is editable
            return
        data = form.cleaned_data
        user = seller_add_staff(company=data["company"], email=data["email"])
        adopt(obj, user.seller_profile)
