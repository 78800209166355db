"""Account services outside the marketplace roles: the bootstrap superuser (`ensure_admin`)."""

from dataclasses import dataclass

from django.db import models

from marketplace.exceptions import MarketplaceError
from marketplace.models import User


@dataclass(frozen=True)
class AdminLogin:
    """How to log in as the superuser; `password` is None when it already existed."""

    username: str
    password: str | None

    @property
    def created(self) -> bool:
        return self.password is not None


def superuser_ensure(*, username: str, email: str, password: str) -> AdminLogin:
    """Create a superuser unless one exists (then nothing changes, its password included).

    Raises MarketplaceError when no superuser exists but `username` or `email` belongs to an
    ordinary user: promoting someone silently would be worse than asking.
    """
    existing = User.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        return AdminLogin(username=existing.get_username(), password=None)
    if User.objects.filter(models.Q(username=username) | models.Q(email__iexact=email)).exists():
        raise MarketplaceError(
            f"A user named {username!r} or with the e-mail {email!r} exists but is not a "
            "superuser; make it one or remove it, then run ensure_admin again."
        )
    User.objects.create_superuser(username=username, email=email, password=password)
    return AdminLogin(username=username, password=password)
