"""The segment admin: pages render, the live count answers unsaved form data (staff only, CSRF
enforced), the sample is shown, and the sync button and action reach the emulator."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audience.models import Role, Segment, SyncStatus
from tests import factories
from tests.audience.conftest import emails

pytestmark = pytest.mark.django_db
COUNT_URL = reverse("admin:audience_segment_count")
ADD_URL = reverse("admin:audience_segment_add")
LIST_URL = reverse("admin:audience_segment_changelist")


def change_url(segment) -> str:
    return reverse("admin:audience_segment_change", args=[segment.pk])


def sync_url(segment) -> str:
    return reverse("admin:audience_segment_sync", args=[segment.pk])


def form_data(**values) -> dict:
    """What the admin form posts with every rule left empty, plus `values`."""
    data = {name: "" for name in (
        "name", "age_min", "age_max", "gender", "birthday_within_days", "last_activity_after",
        "last_activity_before", "orders_min", "orders_max", "spent_min", "spent_max",
        "abandoned_cart_hours", "seller_status", "products_min", "products_max", "sales_min",
        "sales_max")}
    data |= {"role": Role.BUYER, "email_confirmed": "unknown"}
    return data | values


@pytest.fixture
def staff_client(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


def csrf_token(client) -> str:
    response = client.get(ADD_URL)
    assert response.status_code == 200
    return response.cookies["csrftoken"].value


def live_count(client, data, token=None):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return client.post(COUNT_URL, data, **headers)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- pages -------------------------------------------------------------------------------

def test_pages_render(admin_client, buyers, world):
    segment = Segment.objects.create(name="Women of A", role=Role.BUYER, gender="f")
    segment.storefronts.set([world.storefront_a])
    assert admin_client.get(LIST_URL).status_code == 200
    add = admin_client.get(ADD_URL).content.decode()
    assert 'id="segment-live-count"' in add and f'data-url="{COUNT_URL}"' in add
    assert "audience/segment_count.js" in add
    assert "Sync to Sendsay as a list" not in add
    change = admin_client.get(change_url(segment)).content.decode()
    assert '<strong class="segment-count-value">1</strong>' in change
    assert "anna@example.org" in change and "Anna Buyer" in change and "Alpha shop" in change
    assert "boris@example.org" not in change
    assert f'action="{sync_url(segment)}"' in change
    assert "Sync to Sendsay as a list" in change


def test_change_page_of_an_empty_segment_says_so(admin_client, db):
    segment = Segment.objects.create(name="Nobody", role=Role.SELLER)
    html = admin_client.get(change_url(segment)).content.decode()
    assert "No user matches the saved rules." in html


def test_saving_the_form_stores_rules_and_links(admin_client, buyers, world):
    data = form_data(name="Phones fans", age_min="18", storefronts=[world.storefront_a.pk],
                     categories=[world.categories["phones"].pk], email_confirmed="true")
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    segment = Segment.objects.get(name="Phones fans")
    assert segment.age_min == 18 and segment.email_confirmed is True
    assert list(segment.storefronts.all()) == [world.storefront_a]
    assert list(segment.categories.all()) == [world.categories["phones"]]


def test_rules_of_another_role_and_crossed_ranges_are_refused(admin_client, db):
    response = admin_client.post(ADD_URL, form_data(name="Bad", role=Role.SELLER, gender="f",
                                                    products_min="5", products_max="2"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "does not apply to sellers" in errors["gender"][0]
    assert "must not exceed" in errors["__all__"][0]
    assert not Segment.objects.exists()


# -- live count ----------------------------------------------------------------------------

def test_live_count_answers_unsaved_form_data(staff_client, buyers, world):
    token = csrf_token(staff_client)
    response = live_count(staff_client, form_data(gender="f"), token)
    assert response.status_code == 200 and response.json() == {"count": 3}
    response = live_count(staff_client, form_data(
        shipping_methods=[world.courier.pk], spent_min="500"), token)
    assert response.json() == {"count": 2}  # anna, zoya
    response = live_count(staff_client, form_data(
        categories=[world.categories["electronics"].pk], age_min="30"), token)
    assert response.json() == {"count": 2}  # anna, egor
    assert not Segment.objects.exists()


def test_live_count_of_an_existing_segment_ignores_its_name(staff_client, buyers):
    Segment.objects.create(name="Taken")
    token = csrf_token(staff_client)
    response = live_count(staff_client, form_data(name="Taken", role=Role.ADMIN), token)
    assert response.json() == {"count": 1}  # the admin user of the client


def test_live_count_reports_invalid_rules(staff_client, db):
    token = csrf_token(staff_client)
    response = live_count(staff_client, form_data(age_min="40", age_max="20"), token)
    assert response.status_code == 200 and response.json()["count"] is None
    assert "must not exceed" in response.json()["errors"]["__all__"][0]
    response = live_count(staff_client, form_data(role=Role.ADMIN, orders_min="1"), token)
    assert response.json() == {"count": None, "errors": {
        "orders_min": ["This rule does not apply to administrators."]}}


def test_live_count_enforces_csrf(staff_client, db):
    csrf_token(staff_client)
    assert live_count(staff_client, form_data()).status_code == 403
    assert live_count(staff_client, form_data(), token="forged" * 6).status_code == 403


def test_live_count_is_for_staff_with_segment_permissions(db, buyers):
    anonymous = Client()
    assert anonymous.post(COUNT_URL, form_data()).status_code == 302
    buyer = Client()
    buyer.force_login(buyers["anna"])
    response = buyer.post(COUNT_URL, form_data())
    assert response.status_code == 302 and "/login/" in response.url
    clerk = factories.UserFactory(is_staff=True)
    staff = Client()
    staff.force_login(clerk)
    assert staff.post(COUNT_URL, form_data()).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="change_segment"))
    assert staff.post(COUNT_URL, form_data()).json() == {"count": 7}


def test_live_count_wants_post(admin_client, db):
    assert admin_client.get(COUNT_URL).status_code == 405


# -- sync -----------------------------------------------------------------------------------

def test_sync_button_uploads_the_list_and_reports(admin_client, connected_account,
                                                  sendsay_emulator, buyers):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    response = admin_client.post(sync_url(segment))
    assert response.status_code == 302 and response.url == change_url(segment)
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.SYNCED
    assert sendsay_emulator.list_members(segment.sendsay_group_id) == emails(
        {"anna", "vera", "zoya"})
    text = messages_of(response)
    assert text == [f"Women: 3 addresses in Sendsay list {segment.sendsay_group_id}."]


def test_sync_shows_sendsay_errors_with_their_id(admin_client, connected_account,
                                                 sendsay_emulator, buyers):
    sendsay_emulator.control("fault", mode="error", action="group.create",
                             error_id="error/group/limit", explain="too many lists")
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    response = admin_client.post(sync_url(segment), follow=True)
    html = response.content.decode()
    assert "Sendsay error error/group/limit: too many lists (action group.create)" in html
    assert "Traceback" not in html
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.FAILED


def test_sync_without_sendsay_says_what_to_do(admin_client, buyers):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    response = admin_client.post(sync_url(segment))
    assert messages_of(response) == [
        "Women: Sendsay is not connected: enable the module and check the connection first."]


def test_sync_wants_post_and_change_permission(db, buyers):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_segment"))
    client = Client()
    client.force_login(viewer)
    assert client.get(change_url(segment)).status_code == 200
    assert client.post(sync_url(segment)).status_code == 403
    assert client.get(sync_url(segment)).status_code == 405
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.NEVER


def test_sync_action_syncs_every_selected_segment(admin_client, connected_account,
                                                  sendsay_emulator, buyers):
    women = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    men = Segment.objects.create(name="Men", role=Role.BUYER, gender="m")
    response = admin_client.post(LIST_URL, {
        "action": "sync_to_sendsay", "_selected_action": [women.pk, men.pk]})
    assert response.status_code == 302
    women.refresh_from_db()
    men.refresh_from_db()
    assert sendsay_emulator.list_members(women.sendsay_group_id) == emails(
        {"anna", "vera", "zoya"})
    assert sendsay_emulator.list_members(men.sendsay_group_id) == emails(
        {"boris", "gleb", "egor"})
    assert sorted(messages_of(response)) == sorted([
        f"Men: 3 addresses in Sendsay list {men.sendsay_group_id}.",
        f"Women: 3 addresses in Sendsay list {women.sendsay_group_id}.",
    ])

