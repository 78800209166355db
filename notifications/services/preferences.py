"""Contact preferences: read and save a buyer's or a company's marketing choices per channel."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.models import Company, User
from notifications.events import Category, Channel
from notifications.links import LinkError, LinkSubject
from notifications.models import ContactPreference


def _owner(subject: LinkSubject) -> dict[str, int]:
    return {"user_id": subject.pk} if subject.kind == "user" else {"company_id": subject.pk}


def subject_name(*, subject: LinkSubject) -> str:
    """Who the link is about, for the page heading; LinkError when they no longer exist."""
    if subject.kind == "user":
        user = User.objects.filter(pk=subject.pk).only("email").first()
        if user is not None:
            return user.email
    else:
        company = Company.objects.filter(pk=subject.pk).only("name").first()
        if company is not None:
            return company.name
    raise LinkError(_("This link belongs to an account that no longer exists."))


def preferences_get(*, subject: LinkSubject) -> dict[str, bool]:
    """Marketing allowed per channel (True unless opted out); transactional always goes."""
    off = set(
        ContactPreference.objects.filter(
            **_owner(subject), category=Category.MARKETING, allowed=False
        ).values_list("channel", flat=True)
    )
    return {channel: channel not in off for channel in Channel.values}


def _set(subject: LinkSubject, channel: str, category: str, allowed: bool) -> None:
    ContactPreference.objects.update_or_create(
        **_owner(subject), channel=channel, category=category, defaults={"allowed": allowed}
    )


@transaction.atomic
def preferences_save(*, subject: LinkSubject, marketing: Mapping[str, bool]) -> None:
    """Store the marketing choice for every channel given (unknown channels are refused)."""
    for channel, allowed in marketing.items():
        if channel not in Channel.values:
            raise ValueError(f"unknown channel {channel!r}")
        _set(subject, channel, Category.MARKETING, bool(allowed))


@transaction.atomic
def subject_unsubscribe(*, subject: LinkSubject) -> None:
    """Opt the subject out of the channel and category its unsubscribe link names."""
    if subject.category != Category.MARKETING:
        raise LinkError(_("Only marketing messages can be unsubscribed from."))
    _set(subject, subject.channel, subject.category, False)
