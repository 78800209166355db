"""The `Segment`: who it addresses (a role plus typed rule fields) and its Sendsay list sync state.

Rules are typed model fields, not a JSON document: every rule is validated by its field and by
the check constraints below, the admin builds the form from them, storefronts, shipping methods
and categories are real many-to-many links (no dangling ids), and migrations make a change of
the rule set explicit. An empty rule means "any". `audience.rules.SegmentRules` is the same
rule set as a plain frozen value, which is what the selectors evaluate.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import CompanyStatus


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyers")
    SELLER = "seller", _("Sellers")
    ADMIN = "admin", _("Administrators")


class GenderRule(models.TextChoices):
    ANY = "", _("Any")
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    UNSPECIFIED = "-", _("Not specified")


class SyncStatus(models.TextChoices):
    NEVER = "never", _("Never synced")
    RUNNING = "running", _("Running")
    SYNCED = "synced", _("Synced")
    PARTIAL = "partial", _("Synced, some addresses refused")
    FAILED = "failed", _("Failed")


#: (minimum field, maximum field, message) of the ranges whose bounds must not cross.
RANGE_PAIRS = (
    ("age_min", "age_max", _("The lower age must not exceed the upper age.")),
    ("orders_min", "orders_max", _("The lower orders count must not exceed the upper one.")),
    ("spent_min", "spent_max", _("The lower total spent must not exceed the upper one.")),
    ("products_min", "products_max",
     _("The lower products count must not exceed the upper one.")),
    ("sales_min", "sales_max", _("The lower sales count must not exceed the upper one.")),
)


def _range_constraint(low: str, high: str, message: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{low}__isnull": True}) | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": F(high)}),
        name=f"audience_segment_{low}_lte_{high}",
        violation_error_message=message,
    )


def _count_field(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


class Segment(models.Model):
    """A saved audience: users of one role matching every rule that is filled in."""

    name = models.CharField(_("name"), max_length=200, unique=True,
                            help_text=_("Also the name of the Sendsay list it syncs to."))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.BUYER)

    # -- buyers and sellers ------------------------------------------------------------------
    storefronts = models.ManyToManyField(
        "marketplace.Storefront", blank=True, related_name="+", verbose_name=_("storefronts"),
        help_text=_("The buyer's storefront, or the seller company's. None chosen: all."),
    )

    # -- buyers --------------------------------------------------------------------------
    age_min = models.PositiveSmallIntegerField(
        _("age from"), null=True, blank=True, validators=[MaxValueValidator(150)],
        help_text=_("Full years today in the storefront's time zone; buyers without a birth "
                    "date never match an age rule."),
    )
    age_max = models.PositiveSmallIntegerField(
        _("age to"), null=True, blank=True, validators=[MaxValueValidator(150)]
    )
    gender = models.CharField(
        _("gender"), max_length=1, choices=GenderRule.choices, blank=True, default=GenderRule.ANY
    )
    birthday_within_days = models.PositiveSmallIntegerField(
        _("birthday within (days)"), null=True, blank=True, validators=[MaxValueValidator(366)],
        help_text=_("Birthday from today to today + N days (0: today). A 29 February birthday "
                    "falls on 28 February in other years."),
    )
    shipping_methods = models.ManyToManyField(
        "marketplace.ShippingMethod", blank=True, related_name="+",
        verbose_name=_("shipping methods used"),
        help_text=_("At least one non-cancelled order shipped with one of these."),
    )
    categories = models.ManyToManyField(
        "marketplace.Category", blank=True, related_name="+",
        verbose_name=_("categories of interest or bought"),
        help_text=_("Interested in, or bought (non-cancelled order) from, one of these "
                    "categories or their sub-categories."),
    )
    last_activity_after = models.DateField(
        _("last activity on or after"), null=True, blank=True,
        help_text=_("Buyers never seen active match neither activity rule."),
    )
    last_activity_before = models.DateField(_("last activity before"), null=True, blank=True)
    orders_min = _count_field(_("orders from"))
    orders_max = _count_field(_("orders to"))
    spent_min = models.DecimalField(
        _("total spent from"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("Sum of non-cancelled orders."),
    )
    spent_max = models.DecimalField(
        _("total spent to"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    abandoned_cart_hours = models.PositiveIntegerField(
        _("abandoned cart older than (hours)"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Has an open cart with lines, not updated for at least this many hours."),
    )
    email_confirmed = models.BooleanField(_("e-mail confirmed"), null=True, blank=True)

    # -- sellers -------------------------------------------------------------------------
    seller_status = models.CharField(
        _("seller status"), max_length=16, choices=CompanyStatus.choices, blank=True
    )
    products_min = _count_field(_("active products from"))
    products_max = _count_field(_("active products to"))
    sales_min = _count_field(_("sales (delivered orders) from"))
    sales_max = _count_field(_("sales (delivered orders) to"))

    # -- Sendsay list --------------------------------------------------------------------
    sendsay_group_id = models.CharField(_("Sendsay list id"), max_length=64, blank=True)
    sendsay_login = models.CharField(
        _("Sendsay account"), max_length=200, blank=True,
        help_text=_("The login the list was created in; another account gets a new list."),
    )
    sync_status = models.CharField(
        _("sync status"), max_length=10, choices=SyncStatus.choices, default=SyncStatus.NEVER
    )
    sync_started_at = models.DateTimeField(_("sync started"), null=True, blank=True)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    synced_count = models.PositiveIntegerField(_("addresses in the list"), null=True, blank=True)
    sync_error = models.TextField(_("sync error"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="audience_segment_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(gender__in=GenderRule.values), name="audience_segment_gender_valid"
            ),
            models.CheckConstraint(
                condition=Q(seller_status="") | Q(seller_status__in=CompanyStatus.values),
                name="audience_segment_seller_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(sync_status__in=SyncStatus.values),
                name="audience_segment_sync_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(last_activity_after__isnull=True)
                | Q(last_activity_before__isnull=True)
                | Q(last_activity_after__lt=F("last_activity_before")),
                name="audience_segment_activity_window",
                violation_error_message=_(
                    "'Last activity on or after' must be earlier than 'last activity before'."
                ),
            ),
            *(_range_constraint(*pair) for pair in RANGE_PAIRS),
        ]

    def __str__(self) -> str:
        return self.name
