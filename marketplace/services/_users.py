"""Finding or creating the one User behind an e-mail address, for any role."""

from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import User


def user_for_email(
    *, email: str, password: str | None = None, first_name: str = "", last_name: str = ""
) -> tuple[User, bool]:
    """Return (user, created): the user with `email` (case-insensitive), or a new one.

    An existing user is returned unchanged (its password is never touched). A new user gets
    username = the lower-cased e-mail, the password hashed (unusable when None) and is
    validated with full_clean. Raises ValidationError for a bad e-mail and MarketplaceError
    when a concurrent registration took the address first.
    """
    email = BaseUserManager.normalize_email((email or "").strip())
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if email and existing is not None:
        return existing, False
    user = User(username=email.lower(), email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise MarketplaceError(
            _("A user with this e-mail already exists."), code="email_taken"
        ) from exc
    return user, True
