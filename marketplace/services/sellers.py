"""Seller services: company registration, company status and the company's staff."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketplace.exceptions import MarketplaceError
from marketplace.models import Company, CompanyStatus, SellerProfile, Storefront, User

from ._common import phones_check
from ._events import _notify
from ._users import user_for_email


@transaction.atomic
def seller_register(
    *,
    storefront: Storefront,
    company_name: str,
    email: str,
    password: str | None = None,
    phone: str = "",
    warehouse_email: str = "",
    warehouse_phone: str = "",
    user: User | None = None,
) -> Company:
    """Register a company (status NEW) on `storefront` with an owner, and return it.

    `email` is the company's address. The owner is `user` when given (a buyer becoming a
    seller), else the user with that e-mail (case-insensitive; its password stays) or a new
    one with `password`. Stores a SellerProfile(is_owner=True). Raises ValidationError
    (keyed by field) for bad addresses, phones or a company name already used on the
    storefront, MarketplaceError when the owner already works for a company.
    """
    phones_check(Company, phone=phone, warehouse_phone=warehouse_phone)
    company = Company(
        storefront=storefront,
        name=company_name.strip(),
        email=email.strip(),
        phone=phone,
        warehouse_email=warehouse_email.strip(),
        warehouse_phone=warehouse_phone,
        status=CompanyStatus.NEW,
    )
    company.full_clean()
    if user is None:
        user, _created = user_for_email(email=email, password=password)
    company.save()
    _staff_attach(company=company, user=user, is_owner=True)
    _notify("seller.registered", company_id=company.pk, user_id=user.pk)
    return company


def company_set_status(*, company: Company, status: str, by: User | None = None) -> Company:
    """Set the company's status (any CompanyStatus value) and return the updated row.

    Locks the row; setting the current status again changes nothing and announces nothing.
    The passed instance gets the new status too. Raises MarketplaceError for an unknown
    status value.
    """
    if status not in CompanyStatus.values:
        raise MarketplaceError(
            _("“%(status)s” is not a company status."),
            code="invalid_status",
            params={"status": status},
        )
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        from_status = locked.status
        if from_status != status:
            locked.status = status
            locked.save(update_fields=["status", "updated_at"])
            _notify(
                "company.status_changed",
                company_id=locked.pk,
                from_status=from_status,
                to_status=status,
                by_id=by.pk if by else None,
            )
    company.status = locked.status
    return locked


@transaction.atomic
def seller_add_staff(*, company: Company, email: str, password: str | None = None) -> User:
    """Add a staff member (not an owner) to `company` and return the user.

    Uses the user with that e-mail (case-insensitive; a buyer may become seller staff, its
    password stays) or creates one with `password`. Raises ValidationError for a bad e-mail,
    MarketplaceError when the user already works for a company.
    """
    user, _created = user_for_email(email=email, password=password)
    _staff_attach(company=company, user=user, is_owner=False)
    _notify("seller.staff_added", company_id=company.pk, user_id=user.pk)
    return user


def _staff_attach(*, company: Company, user: User, is_owner: bool) -> SellerProfile:
    """Link `user` to `company`; MarketplaceError if the user already has a seller profile."""
    if SellerProfile.objects.filter(user=user).exists():
        raise MarketplaceError(
            _("%(email)s already works for a seller company."),
            code="already_seller",
            params={"email": user.email},
        )
    return SellerProfile.objects.create(user=user, company=company, is_owner=is_owner)
