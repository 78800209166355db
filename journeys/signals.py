"""The buyer profile's lifecycle starts two journeys, whichever code path registers or confirms
(the storefront, the admin, an import through the services):

- a profile created without a confirmed e-mail -> `buyer.email_confirmation` with a signed link;
- the e-mail confirmed (`buyer_confirm_email` saves `email_confirmed_at`) -> the interest
  survey invitation.

`post_save` runs inside the service's transaction, so a rolled-back registration writes no
message; the marketplace app stays unaware of the journeys (it must not import them). Bulk
inserts (the demo seed) send no signal and so no mail.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from marketplace.models import BuyerProfile

from .services import confirmation_request, interests_invite


@receiver(post_save, sender=BuyerProfile, dispatch_uid="journeys.buyer_profile_saved")
def buyer_profile_saved(sender, instance: BuyerProfile, created: bool, raw: bool = False,
                        update_fields=None, **kwargs) -> None:
    if raw:  # loaddata
        return
    if created and instance.email_confirmed_at is None:
        confirmation_request(user=instance.user)
    elif (not created and update_fields and "email_confirmed_at" in update_fields
          and instance.email_confirmed_at is not None):
        interests_invite(user_id=instance.user_id)
