"""The project's user: one login for a person, who may be a buyer, a seller's staff or both."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Buyer and seller roles hang off it (`buyer_profile`, `seller_profile`)."""

    email = models.EmailField(_("e-mail address"))

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="marketplace_user_email_ci_unique",
                condition=~models.Q(email=""),
                violation_error_message=_("A user with this e-mail already exists."),
            ),
        ]

    @property
    def is_buyer(self) -> bool:
        return hasattr(self, "buyer_profile")

    @property
    def is_seller(self) -> bool:
        return hasattr(self, "seller_profile")
