"""Signed links in messages: one-click unsubscribe and the preference page (django.core.signing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from . import conf
from .events import Category, Channel

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
PREFERENCES_SALT = "notifications.preferences"
SUBJECT_KINDS = ("user", "company")
DAY = 24 * 3600


class LinkError(Exception):
    """A signed link that cannot be used; the message is fit to show the person who clicked."""


class LinkExpiredError(LinkError):
    pass


@dataclass(frozen=True)
class LinkSubject:
    """Whose preferences a link is about, and (unsubscribe only) what it opts out of."""

    kind: str  # "user" (a buyer) or "company" (a seller)
    pk: int
    channel: str = ""
    category: str = ""


def _max_age(salt: str) -> int:
    if salt == UNSUBSCRIBE_SALT:
        return int(conf.get("NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE_DAYS")) * DAY
    return int(settings.SIGNED_LINK_MAX_AGE_DAYS) * DAY


def signed_dump(data: dict, *, salt: str) -> str:
    """A signed, timestamped, compressed token of `data` (every signed link of the project)."""
    return signing.dumps(data, salt=salt, compress=True)


def signed_load(token: str, *, salt: str, max_age: int | None = None) -> Any:
    """The data of a valid token not older than `max_age` seconds (default
    SIGNED_LINK_MAX_AGE_DAYS); raises LinkExpiredError or LinkError with a message fit to show
    the person who clicked."""
    if max_age is None:
        max_age = int(settings.SIGNED_LINK_MAX_AGE_DAYS) * DAY
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpiredError(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise invalid_link() from exc


def invalid_link() -> LinkError:
    """The error of a token whose content makes no sense (signed, but not by this version)."""
    return LinkError(_("This link is not valid."))


def token_make(subject: LinkSubject, *, salt: str) -> str:
    data = {"k": subject.kind, "id": subject.pk}
    if subject.channel:
        data |= {"ch": subject.channel, "cat": subject.category}
    return signed_dump(data, salt=salt)


def token_load(token: str, *, salt: str) -> LinkSubject:
    """The subject of a valid token; raises LinkExpiredError or LinkError otherwise."""
    data = signed_load(token, salt=salt, max_age=_max_age(salt))
    try:
        subject = LinkSubject(kind=data["k"], pk=int(data["id"]), channel=data.get("ch", ""),
                              category=data.get("cat", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid_link() from exc
    if subject.kind not in SUBJECT_KINDS or (
        subject.channel and (subject.channel not in Channel.values
                             or subject.category not in Category.values)
    ):
        raise invalid_link()
    return subject


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(subject: LinkSubject) -> str:
    token = token_make(subject, salt=UNSUBSCRIBE_SALT)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def preferences_url(subject: LinkSubject) -> str:
    plain = LinkSubject(kind=subject.kind, pk=subject.pk)
    token = token_make(plain, salt=PREFERENCES_SALT)
    return absolute(reverse("notifications:preferences", args=[token]))
