"""Listing a campaign's recipients: the audience streamed into `CampaignRecipient` rows."""

from __future__ import annotations

import itertools
import logging

from django.utils import timezone

from ..models import Campaign, CampaignRecipient
from ..selectors import recipient_rows

logger = logging.getLogger(__name__)

CHUNK = 2000


def recipients_materialise(*, campaign: Campaign, chunk_size: int = CHUNK) -> int:
    """Insert one row per audience member (INSERT ... SELECT done as a stream: the audience
    query is read `chunk_size` rows at a time and each chunk goes in with one multi-row
    INSERT, conflicts ignored). Idempotent: the unique (campaign, address) and (campaign,
    user) constraints make a repeat after a crash insert only what is missing, and a person
    in two roles is listed once, with the first role (buyers, sellers, admins). Stores
    `materialised_at`; returns the number of rows the campaign has."""
    rows = recipient_rows(campaign, chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        CampaignRecipient.objects.bulk_create(chunk, ignore_conflicts=True)
    Campaign.objects.filter(pk=campaign.pk).update(materialised_at=timezone.now())
    total = CampaignRecipient.objects.filter(campaign=campaign).count()
    logger.info("campaign %s: %s recipients listed", campaign.pk, total)
    return total
