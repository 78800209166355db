"""Signed links in messages: one-click unsubscribe and the preference page (django.core.signing)."""

from __future__ import annotations

from dataclasses import dataclass

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


def token_make(subject: LinkSubject, *, salt: str) -> str:
    data = {"k": subject.kind, "id": subject.pk}
    if subject.channel:
        data |= {"ch": subject.channel, "cat": subject.category}
    return signing.dumps(data, salt=salt, compress=True)


def token_load(token: str, *, salt: str) -> LinkSubject:
    """The subject of a valid token; raises LinkExpiredError or LinkError otherwise."""
    try:
        data = signing.loads(token, salt=salt, max_age=_max_age(salt))
    except signing.SignatureExpired as exc:
        raise LinkExpiredError(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise LinkError(_("This link is not valid.")) from exc
    try:
        subject = LinkSubject(kind=data["k"], pk=int(data["id"]), channel=data.get("ch", ""),
                              category=data.get("cat", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkError(_("This link is not valid.")) from exc
    if subject.kind not in SUBJECT_KINDS or (
        subject.channel and (subject.channel not in Channel.values
                             or subject.category not in Category.values)
    ):
        raise LinkError(_("This link is not valid."))
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
