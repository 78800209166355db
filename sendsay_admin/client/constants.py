"""Sendsay API constants: track status codes, address types, ssec event types, channel keys.

Source marks follow /work/shared/reference/sendsay-api.md: [R] official source, [C] seen in
client code, [I] inference that still needs checking against the live API.
"""

from enum import IntEnum, StrEnum


class TrackStatus(IntEnum):
    """`track.get` status codes [C: official Python client constants].

    Non-negative values mean "still running"; negative values are final.
    """

    NOT_MODERATED = -6  # rejected by moderation ([I] mapping of "не прошёл модерацию")
    ON_MODERATION = -5
    LATER = -4  # will be done later (scheduled)
    CANCELLED = -3
    FAILED = -2
    DONE = -1
    ACCEPTED = 0
    STARTED = 1
    IN_PROCESS = 2
    SORTING = 3
    FORMATTING = 4
    REPORTING = 5
    SPAM_CHECK = 6

    @property
    def is_final(self) -> bool:
        return self < 0


#: Final statuses that mean the job did not do its work; `track_wait` raises on them.
TRACK_FAILED_STATUSES = frozenset(
    {TrackStatus.FAILED, TrackStatus.CANCELLED, TrackStatus.NOT_MODERATED}
)


class AddrType(StrEnum):
    """`addr_type` values [R: API docs mirror, section "Подписчики"].

    WHATSAPP is not in any source we read [I]; it is kept because the product plans it.
    """

    EMAIL = "email"
    MSISDN = "msisdn"  # mobile phone (SMS)
    VIBER = "viber"
    TG = "tg"  # Telegram numeric user id, not a username
    VK = "vk"
    VKNOTIFY = "vknotify"
    PUSH = "push"  # web push token
    PUSHAPP = "pushapp"  # mobile push token: <token>@<fcm|apns|hms>.<os>.<authext_id>
    WHATSAPP = "whatsapp"  # [I]
    MAX = "max"
    CSID = "csid"  # client-side identifier
    ID = "id"  # Sendsay's internal member.id


class SsecEventType(IntEnum):
    """`event_type` of e-commerce (ssec) events [R: docs/ecom/how-to-configure-data-transfer]."""

    VIEW_PRODUCT = 0
    ORDER = 1
    VIEW_CATEGORY = 2
    BASKET_ADD = 3
    BASKET_CLEAR = 4
    SEARCH_PRODUCT = 5
    SUBSCRIBE_PRODUCT_PRICE = 6
    SUBSCRIBE_PRODUCT_ISA = 7
    FAVORITE = 8
    PREORDER = 12
    PRODUCT_ISA = 13  # impersonal: no email/addr_type
    PRODUCT_PRICE_CHANGED = 15  # impersonal: no email/addr_type
    REGISTRATION = 28
    AUTHORIZATION = 29


#: The `stat.uni` data area where each ssec event type lands [R].
SSEC_EVENT_AREAS: dict[SsecEventType, str] = {
    SsecEventType.VIEW_PRODUCT: "ssec_product_view",
    SsecEventType.ORDER: "ssec_order",
    SsecEventType.VIEW_CATEGORY: "ssec_category_view",
    SsecEventType.BASKET_ADD: "ssec_basket",
    SsecEventType.BASKET_CLEAR: "ssec_basket_clear",
    SsecEventType.SEARCH_PRODUCT: "ssec_product_search",
    SsecEventType.SUBSCRIBE_PRODUCT_PRICE: "ssec_product_price",
    SsecEventType.SUBSCRIBE_PRODUCT_ISA: "ssec_product_isa",
    SsecEventType.FAVORITE: "ssec_product_favorite",
    SsecEventType.PREORDER: "ssec_product_preorder",
    SsecEventType.PRODUCT_ISA: "ssec_product_isa",
    SsecEventType.PRODUCT_PRICE_CHANGED: "ssec_product_price_changed",
    SsecEventType.REGISTRATION: "ssec_registration",
    SsecEventType.AUTHORIZATION: "ssec_authorization",
}

#: Impersonal ssec events carry no `email`/`addr_type` [R].
SSEC_IMPERSONAL_EVENTS = frozenset({SsecEventType.PRODUCT_ISA, SsecEventType.PRODUCT_PRICE_CHANGED})

#: Channel name -> key inside `letter.message` for non-email sends.
#: Only `viber` is documented [R: docs/other-channels/sms/viber-campaigns]. `sms`, `tg`, `vk`,
#: `push` and `pushapp` follow by analogy with Viber and the archive formats list [I];
#: `whatsapp` appears in no source at all [I]. `msisdn` is accepted as an alias of `sms`.
CHANNEL_MESSAGE_KEYS: dict[str, str] = {
    "sms": "sms",
    "msisdn": "sms",
    "viber": "viber",
    "tg": "tg",
    "vk": "vk",
    "push": "push",
    "pushapp": "pushapp",
    "whatsapp": "whatsapp",
}

#: Special `group` values of `issue.send` [R: docs/sendsay-api/how-to-send-campaign-with-api].
GROUP_PERSONAL = "personal"
GROUP_MASSSENDING = "masssending"
