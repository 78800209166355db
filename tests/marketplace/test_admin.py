"""The marketplace admin: every page renders, filters and search work, and business changes
made from the admin go through the services."""

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from marketplace import models, services
from marketplace.admin.common import AutocompleteFilter
from marketplace.models import CompanyStatus, OrderStatus
from tests import factories


def make_category():
    return factories.CategoryFactory(parent=factories.CategoryFactory())


def make_company():
    company = factories.CompanyFactory()
    models.CompanyNotificationSettings.objects.create(
        company=company, telegram_id="12345", channels={"transactional": ["email", "telegram"]}
    )
    return company


def make_order():
    order = factories.OrderFactory()
    product = factories.ProductFactory(company=order.company)
    models.OrderLine.objects.create(
        order=order,
        product=product,
        product_name=product.name,
        unit_price=product.price,
        quantity=2,
    )
    models.OrderStatusChange.objects.create(
        order=order, from_status="", to_status=OrderStatus.PLACED, changed_by=order.buyer
    )
    return order


def make_cart():
    profile = factories.BuyerProfileFactory()
    cart = models.Cart.objects.create(buyer=profile.user, storefront=profile.storefront)
    models.CartLine.objects.create(cart=cart, product=factories.ProductFactory(), quantity=3)
    return cart


def make_product_view():
    return models.ProductView.objects.create(
        buyer=factories.BuyerProfileFactory().user, product=factories.ProductFactory()
    )


def make_user():
    user = factories.BuyerProfileFactory().user
    factories.SellerProfileFactory(user=user)
    user.groups.add(Group.objects.create(name=f"Group of {user.username}"))
    return user


#: One way to create a row of every model the marketplace admin registers.
MAKERS = {
    models.BuyerProfile: factories.BuyerProfileFactory,
    models.Cart: make_cart,
    models.Category: make_category,
    models.Company: make_company,
    models.MarketplaceSettings: models.MarketplaceSettings.load,
    models.Order: make_order,
    models.Product: factories.ProductFactory,
    models.ProductView: make_product_view,
    models.SellerProfile: factories.SellerProfileFactory,
    models.ShippingMethod: factories.ShippingMethodFactory,
    models.Storefront: factories.StorefrontFactory,
    models.User: make_user,
}

#: Models whose rows the admin never adds: orders are placed by buyers, activity is recorded
#: by the storefront, and the settings row already exists once created.
ADD_REFUSED = {models.Order, models.Cart, models.ProductView, models.MarketplaceSettings}

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "marketplace"),
    key=lambda model: model._meta.model_name,
)


def admin_url(model, view, *args):
    return reverse(f"admin:marketplace_{model._meta.model_name}_{view}", args=args)


def superuser_request(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@pytest.fixture
def client_en(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def test_every_marketplace_model_is_registered_and_has_a_maker():
    assert set(REGISTERED) == set(MAKERS)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_change_list_add_and_change_pages_render(admin_client, model):
    obj = MAKERS[model]()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    for term in ("1", "example", "#1", "no such thing"):
        response = admin_client.get(admin_url(model, "changelist"), {"q": term})
        assert response.status_code == 200, term
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    expected = 403 if model in ADD_REFUSED else 200
    assert admin_client.get(admin_url(model, "add")).status_code == expected


def filter_query_strings(model_admin, request):
    """One query string per list filter of `model_admin`: its last option, or a related row."""
    changelist = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        if isinstance(spec, AutocompleteFilter):
            related = spec.field.remote_field.model._default_manager.order_by("pk").last()
            yield spec.title, f"?{spec.lookup_kwarg}={related.pk}"
        else:
            yield spec.title, list(spec.choices(changelist))[-1]["query_string"]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_each_list_filter_works(admin_client, admin_user, model):
    MAKERS[model]()
    MAKERS[model]()  # two related rows, or a related-field filter has nothing to offer
    model_admin = admin.site._registry[model]
    url = admin_url(model, "changelist")
    queries = list(filter_query_strings(model_admin, superuser_request(admin_user, url)))

    assert len(queries) == len(model_admin.list_filter)
    for title, query in queries:
        response = admin_client.get(url + query)
        assert response.status_code == 200, (title, query)  # a bad lookup redirects with ?e=1
        assert response.context["cl"].has_active_filters, (title, query)


def test_autocomplete_filter_shows_the_chosen_row_and_serves_suggestions(client_en):
    company = factories.CompanyFactory(name="Acme Tools")
    factories.OrderFactory(company=company)
    url = admin_url(models.Order, "changelist")

    response = client_en.get(url, {"company__id__exact": company.pk})
    assert response.status_code == 200
    assert f'<option value="{company.pk}" selected>Acme Tools</option>' in response.text
    assert len(response.context["cl"].result_list) == 1

    cleared = client_en.get(url, {"company__id__exact": ""})  # the cleared select2 box
    assert cleared.status_code == 200
    suggestions = client_en.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "marketplace",
            "model_name": "order",
            "field_name": "company",
            "term": "acme",
        },
    )
    assert suggestions.json()["results"] == [{"id": str(company.pk), "text": "Acme Tools"}]


# --- companies ------------------------------------------------------------------------------


def test_company_status_action_goes_through_the_service(client_en, admin_user):
    new, active = factories.CompanyFactory(status=CompanyStatus.NEW), factories.CompanyFactory()

    with mock.patch(
        "marketplace.admin.sellers.company_set_status", wraps=services.company_set_status
    ) as service:
        response = client_en.post(
            admin_url(models.Company, "changelist"),
            {"action": "set_status_disabled", "_selected_action": [new.pk, active.pk]},
            follow=True,
        )

    assert service.call_count == 2
    assert set(models.Company.objects.values_list("status", flat=True)) == {"disabled"}
    names = ", ".join(sorted([new.name, active.name]))  # the change list's order: by name
    assert [str(m) for m in response.context["messages"]] == [f"Status “Disabled” set: {names}"]
    assert LogEntry.objects.filter(object_id=str(new.pk), user=admin_user).count() == 1


def test_company_status_is_read_only_on_the_change_form(admin_client):
    company = factories.CompanyFactory(status=CompanyStatus.PENDING)
    url = admin_url(models.Company, "change", company.pk)

    page = admin_client.get(url)
    assert 'name="status"' not in page.text
    response = admin_client.post(
        url,
        {
            "name": "Renamed",
            "email": company.email,
            "phone": "",
            "warehouse_email": "",
            "warehouse_phone": "",
            "status": "active",
            "staff-TOTAL_FORMS": 0,
            "staff-INITIAL_FORMS": 0,
            "notification_settings-TOTAL_FORMS": 0,
            "notification_settings-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.status) == ("Renamed", CompanyStatus.PENDING)


def test_company_page_shows_staff_and_notification_settings_read_only(client_en):
    company = make_company()
    staff = factories.SellerProfileFactory(company=company)

    response = client_en.get(admin_url(models.Company, "change", company.pk))

    inlines = {inline.opts.model: inline for inline in response.context["inline_admin_formsets"]}
    assert set(inlines) == {models.SellerProfile, models.CompanyNotificationSettings}
    assert not any(inline.has_change_permission for inline in inlines.values())
    assert "12345" in response.text and staff.user.username in response.text


def test_adding_a_company_registers_it_with_an_owner(admin_client, storefront):
    response = admin_client.post(
        admin_url(models.Company, "add"),
        {
            "storefront": storefront.pk,
            "name": "Acme",
            "email": "sales@acme.example.ru",
            "phone": "",
            "owner": "",
            "warehouse_email": "",
            "warehouse_phone": "",
        },
    )

    assert response.status_code == 302
    company = models.Company.objects.get(name="Acme")
    assert company.status == CompanyStatus.NEW
    owner = company.staff.get()
    assert (owner.is_owner, owner.user.email) == (True, "sales@acme.example.ru")


def test_adding_a_company_for_a_user_who_is_already_a_seller_is_refused(client_en, seller):
    response = client_en.post(
        admin_url(models.Company, "add"),
        {
            "storefront": seller.seller_profile.company.storefront_id,
            "name": "Second",
            "email": "second@acme.example.ru",
            "phone": "",
            "owner": seller.pk,
            "warehouse_email": "",
            "warehouse_phone": "",
        },
    )

    assert response.status_code == 200
    assert "already works for a seller company" in response.text
    assert not models.Company.objects.filter(name="Second").exists()


def test_adding_seller_staff_goes_through_the_service(admin_client, company):
    response = admin_client.post(
        admin_url(models.SellerProfile, "add"),
        {"company": company.pk, "email": "clerk@vendor.example.ru"},
    )

    assert response.status_code == 302
    staff = models.SellerProfile.objects.get(user__email="clerk@vendor.example.ru")
    assert (staff.company, staff.is_owner) == (company, False)


# --- buyers ---------------------------------------------------------------------------------


def test_mark_email_confirmed_action(client_en):
    pending = factories.BuyerProfileFactory(email_confirmed_at=None)
    confirmed = factories.BuyerProfileFactory()
    confirmed_at = confirmed.email_confirmed_at

    response = client_en.post(
        admin_url(models.BuyerProfile, "changelist"),
        {"action": "confirm_email", "_selected_action": [pending.pk, confirmed.pk]},
        follow=True,
    )

    pending.refresh_from_db()
    confirmed.refresh_from_db()
    assert pending.email_confirmed_at is not None
    assert confirmed.email_confirmed_at == confirmed_at
    assert [str(m) for m in response.context["messages"]] == [
        "1 buyer had already confirmed.",
        f"E-mail confirmed: {pending.user.email}",
    ]


def test_adding_a_buyer_registers_it_unconfirmed(admin_client, storefront):
    response = admin_client.post(
        admin_url(models.BuyerProfile, "add"),
        {
            "storefront": storefront.pk,
            "email": "Anna@Example.org",
            "first_name": "Anna",
            "last_name": "",
            "phone": "",
            "gender": "f",
            "birth_date": "",
            "city": "Kazan",
        },
    )

    assert response.status_code == 302
    profile = models.BuyerProfile.objects.get(user__email__iexact="anna@example.org")
    assert (profile.city, profile.gender, profile.email_confirmed) == ("Kazan", "f", False)
    assert profile.user.first_name == "Anna"


def test_editing_a_buyer_goes_through_the_profile_services(admin_client, buyer):
    profile = buyer.buyer_profile
    category = factories.CategoryFactory()

    with (
        mock.patch("marketplace.admin.buyers.buyer_update_profile") as update,
        mock.patch("marketplace.admin.buyers.buyer_set_interests") as interests,
    ):
        response = admin_client.post(
            admin_url(models.BuyerProfile, "change", profile.pk),
            {
                "phone": "",
                "gender": "",
                "birth_date": "",
                "city": "Tver",
                "delivery_address": "",
                "preferred_shipping_method": "",
                "interests": [category.pk],
            },
        )

    assert response.status_code == 302
    update.assert_called_once_with(user=buyer, city="Tver")
    assert interests.call_args.kwargs["user"] == buyer
    assert list(interests.call_args.kwargs["categories"]) == [category]


# --- catalogue ------------------------------------------------------------------------------


def product_form(product, **changes):
    data = {
        "category": product.category_id,
        "name": product.name,
        "sku": product.sku,
        "price": str(product.price),
        "stock": product.stock,
        "is_active": "on",
    }
    return {**data, **changes}


def test_editing_a_product_calls_product_update_with_the_changed_fields(admin_client, product):
    with mock.patch(
        "marketplace.admin.catalogue.product_update", wraps=services.product_update
    ) as service:
        response = admin_client.post(
            admin_url(models.Product, "change", product.pk),
            product_form(product, price="80.00", stock=3),
        )

    assert response.status_code == 302
    service.assert_called_once()
    assert set(service.call_args.kwargs) == {"product", "price", "stock"}
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("80.00"), 3)


def test_adding_a_product_goes_through_product_create(admin_client, company):
    category = factories.CategoryFactory()

    response = admin_client.post(
        admin_url(models.Product, "add"),
        {
            "company": company.pk,
            "category": category.pk,
            "name": "Kettle",
            "sku": "K-1",
            "price": "990.00",
            "stock": 4,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    product = models.Product.objects.get(sku="K-1")
    assert response.url == admin_url(models.Product, "changelist")
    assert (product.company, product.price, product.stock) == (company, Decimal("990.00"), 4)


# --- settings and users ---------------------------------------------------------------------


def test_marketplace_settings_allow_one_row_and_no_deletion(admin_client, admin_user):
    model_admin = admin.site._registry[models.MarketplaceSettings]
    request = superuser_request(admin_user)
    assert model_admin.has_add_permission(request)

    row = models.MarketplaceSettings.load()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, row)
    assert admin_client.get(admin_url(models.MarketplaceSettings, "add")).status_code == 403
    delete = admin_client.get(admin_url(models.MarketplaceSettings, "delete", row.pk))
    assert delete.status_code == 403


def test_user_change_list_shows_roles_without_a_query_per_row(
    admin_client, django_assert_max_num_queries
):
    make_user()
    url = admin_url(models.User, "changelist")
    admin_client.get(url)
    with django_assert_max_num_queries(8) as few:
        admin_client.get(url)
    for _ in range(10):
        make_user()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 12  # 11 made + the admin


def test_user_change_page_shows_buyer_and_seller_inlines(client_en):
    user = make_user()

    response = client_en.get(admin_url(models.User, "change", user.pk))

    assert response.status_code == 200
    inlines = {formset.opts.model for formset in response.context["inline_admin_formsets"]}
    assert inlines == {models.BuyerProfile, models.SellerProfile}
    assert user.buyer_profile.storefront.name in response.text
    assert user.seller_profile.company.name in response.text
