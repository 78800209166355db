"""`segment_sync` against the real Sendsay emulator over HTTP: the list, its members, batches,
re-syncs, refusals and errors, read back from the emulator's `GET /_inspect`."""

import pytest
import requests
from django.utils import timezone

from audience import services
from audience.exceptions import SegmentSyncError
from audience.models import Role, Segment, SyncStatus
from audience.services import segment_sync
from marketplace.models import BuyerProfile, User
from sendsay_admin.client import SendsayError
from sendsay_admin.emulator.state import FREE_UPLOAD_LIMIT
from sendsay_admin.models import SendsayErrorLog
from tests import factories
from tests.audience.conftest import LOGIN

pytestmark = pytest.mark.django_db


def buyer(name: str, *, confirmed=True, storefront=None, **profile):
    user = factories.UserFactory(username=name, email=f"{name}@example.org")
    factories.BuyerProfileFactory(
        user=user, storefront=storefront or factories.StorefrontFactory(),
        email_confirmed_at=None if not confirmed else user.date_joined, **profile,
    )
    return user


def addresses(*names) -> set[str]:
    return {f"{name}@example.org" for name in names}


@pytest.fixture
def population(db):
    return [buyer("ann", gender="f"), buyer("bea", gender="f", confirmed=False),
            buyer("cid", gender="m"), buyer("dan", gender="m")]


def test_first_sync_creates_the_list_and_uploads_the_members(connected_account, sendsay_emulator,
                                                             population):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    result = segment_sync(segment=segment)

    seen = sendsay_emulator.inspect()
    groups = {g["id"]: g for g in seen["groups"]}
    assert result.created_list and result.group_id in groups
    assert groups[result.group_id]["name"] == "Women"
    assert groups[result.group_id]["type"] == "list"
    assert sendsay_emulator.list_members(result.group_id) == addresses("ann", "bea")
    confirmed = {m["email"]: m["confirmed"] for m in seen["members"]}
    assert confirmed == {"ann@example.org": True, "bea@example.org": False}  # double opt-in
    assert seen["request_counts"]["member.import"] == 2  # one batch per confirmation state
    segment.refresh_from_db()
    assert (segment.sync_status, segment.synced_count, segment.sync_error) == (
        SyncStatus.SYNCED, 2, "")
    assert segment.sendsay_group_id == result.group_id
    assert segment.sendsay_login == connected_account.login
    assert segment.synced_at is not None and segment.sync_started_at is None


def test_resync_reuses_the_list_and_mirrors_the_segment(connected_account, sendsay_emulator,
                                                        population):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    first = segment_sync(segment=segment)
    segment.gender = "m"
    segment.save()
    second = segment_sync(segment=segment)

    assert (second.group_id, second.created_list) == (first.group_id, False)
    seen = sendsay_emulator.inspect()
    assert [g["id"] for g in seen["groups"]] == [first.group_id]
    assert sendsay_emulator.list_members(first.group_id) == addresses("cid", "dan")
    assert seen["request_counts"]["group.create"] == 1
    assert seen["request_counts"]["group.clean"] == 1


def test_a_list_deleted_in_sendsay_is_created_again(connected_account, sendsay_emulator,
                                                    population):
    segment = Segment.objects.create(name="Men", role=Role.BUYER, gender="m")
    first = segment_sync(segment=segment)
    sendsay_emulator.control("reset")
    second = segment_sync(segment=segment)
    assert second.created_list and second.group_id
    assert sendsay_emulator.list_members(second.group_id) == addresses("cid", "dan")
    assert first.group_id  # the old id is simply replaced
    segment.refresh_from_db()
    assert segment.sendsay_group_id == second.group_id


def test_addresses_go_up_in_batches(connected_account, sendsay_emulator, population,
                                    monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    for index in range(5):
        buyer(f"extra{index}")
    segment = Segment.objects.create(name="Confirmed", role=Role.BUYER, email_confirmed=True)
    result = segment_sync(segment=segment)
    # 8 confirmed buyers (ann, cid, dan and five extras) in batches of two.
    members = sendsay_emulator.list_members(result.group_id)
    assert members == addresses("ann", "cid", "dan", *(f"extra{i}" for i in range(5)))
    assert sendsay_emulator.inspect()["request_counts"]["member.import"] == 4
    assert result.uploaded == 8 and result.refused == 0


def test_a_thousand_and_one_addresses_take_two_imports(connected_account, sendsay_emulator):
    storefront = factories.StorefrontFactory()
    users = factories.UserFactory.build_batch(1001)
    for index, user in enumerate(users):
        user.username, user.email, user.password = f"bulk{index}", f"bulk{index}@example.org", ""
    User.objects.bulk_create(users)
    created = User.objects.filter(username__startswith="bulk")
    BuyerProfile.objects.bulk_create(
        [BuyerProfile(user=user, storefront=storefront) for user in created])
    segment = Segment.objects.create(name="Everyone", role=Role.BUYER)
    result = segment_sync(segment=segment)
    assert result.uploaded == 1001
    assert len(sendsay_emulator.list_members(result.group_id)) == 1001
    assert sendsay_emulator.inspect()["request_counts"]["member.import"] == 2  # 1,000 + 1


def test_sellers_and_admins_sync_too(connected_account, sendsay_emulator):
    factories.SellerProfileFactory(user=factories.UserFactory(email="vendor@example.org"))
    factories.UserFactory(email="boss@example.org", is_staff=True)
    sellers = segment_sync(segment=Segment.objects.create(name="Sellers", role=Role.SELLER))
    admins = segment_sync(segment=Segment.objects.create(name="Admins", role=Role.ADMIN))
    assert sendsay_emulator.list_members(sellers.group_id) == {"vendor@example.org"}
    assert sendsay_emulator.list_members(admins.group_id) == {"boss@example.org"}


def test_addresses_refused_by_sendsay_make_a_partial_sync(sendsay_emulator,
                                                          connected_account, population):
    # A free plan with one upload left: the second new address is refused.
    state = sendsay_emulator.server.state
    with state.lock:
        account = state.accounts[LOGIN]
        account.tariff, account.uploads = "free", FREE_UPLOAD_LIMIT - 1
    segment = Segment.objects.create(name="Men", role=Role.BUYER, gender="m")
    result = segment_sync(segment=segment)
    assert (result.uploaded, result.refused) == (1, 1)
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.PARTIAL
    assert segment.synced_count == 1
    assert "error/member/limit_exceeded" in segment.sync_error
    assert "dan@example.org" in segment.sync_error


def test_a_sendsay_error_is_stored_and_raised(connected_account, sendsay_emulator, population):
    sendsay_emulator.control("fault", mode="error", action="member.import",
                             error_id="error/emulator/import_down", explain="try later", count=1)
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    with pytest.raises(SendsayError) as caught:
        segment_sync(segment=segment)
    assert caught.value.error_id == "error/emulator/import_down"
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.FAILED
    assert "error/emulator/import_down" in segment.sync_error
    assert segment.synced_at is None
    assert SendsayErrorLog.objects.get().error_id == "error/emulator/import_down"
    # The list was created before the failure and is reused by the next run.
    assert segment.sendsay_group_id
    result = segment_sync(segment=segment)
    assert result.group_id == segment.sendsay_group_id and not result.created_list


def test_sync_refuses_without_a_connected_account(db, population):
    segment = Segment.objects.create(name="Women", role=Role.BUYER, gender="f")
    with pytest.raises(SegmentSyncError, match="not connected"):
        segment_sync(segment=segment)
    segment.refresh_from_db()
    assert segment.sync_status == SyncStatus.FAILED
    assert "not connected" in segment.sync_error


def test_a_disabled_module_refuses_too(connected_account, sendsay_emulator, population):
    from sendsay_admin.services import account_set_enabled
    account_set_enabled(account=connected_account, enabled=False)
    with pytest.raises(SegmentSyncError):
        segment_sync(segment=Segment.objects.create(name="All", role=Role.BUYER))
    assert sendsay_emulator.inspect()["request_counts"].get("group.create") is None


def test_a_running_sync_is_not_started_twice(connected_account, sendsay_emulator, population):
    segment = Segment.objects.create(name="All", role=Role.BUYER)
    Segment.objects.filter(pk=segment.pk).update(sync_status=SyncStatus.RUNNING,
                                                 sync_started_at=timezone.now())
    with pytest.raises(SegmentSyncError, match="already running"):
        segment_sync(segment=segment)
    # A run that died long ago does not block the next one.
    Segment.objects.filter(pk=segment.pk).update(
        sync_started_at=timezone.now() - services.STALE_RUN * 2)
    assert segment_sync(segment=segment).uploaded == 4


def test_a_storefront_segment_uses_the_storefront_account(connected_account, sendsay_emulator):
    from sendsay_admin.models import SendsayAccount
    from sendsay_admin.services import (
        account_save_credentials,
        account_set_enabled,
        connection_check,
    )

    sendsay_emulator.control("add_account", login="x_shop", apikey="shop-key", tariff="paid")
    storefront = factories.StorefrontFactory()
    own = account_save_credentials(account=SendsayAccount(storefront=storefront),
                                   login="x_shop", api_key="shop-key")
    account_set_enabled(account=own, enabled=True)
    assert connection_check(account=own).ok
    buyer("local", storefront=storefront)
    segment = Segment.objects.create(name="Local", role=Role.BUYER)
    segment.storefronts.set([storefront])
    result = segment_sync(segment=segment)
    shop = requests.get(f"{sendsay_emulator.url}/_inspect", timeout=5).json()["accounts"]["x_shop"]
    assert [g["id"] for g in shop["groups"]] == [result.group_id]
    assert {m["email"] for m in shop["members"]} == {"local@example.org"}
    assert sendsay_emulator.inspect()["groups"] == []
    segment.refresh_from_db()
    assert segment.sendsay_login == "x_shop"
