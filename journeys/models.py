"""Buyer journeys: the editable thresholds, the log of what the detectors sent, the surveys'
answers and the coupons given for them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scenario(models.TextChoices):
    """The time-based buyer scenarios; each has one detector of the same name."""

    CONFIRMATION_REMINDER = "confirmation_reminder", _("E-mail confirmation reminder")
    FIRST_PURCHASE = "first_purchase", _("Popular products before the first purchase")
    BROWSE = "browse", _("Viewed products, nothing added to the cart")
    ABANDONED_CART = "abandoned_cart", _("Abandoned cart")
    INACTIVE = "inactive", _("Inactive buyer")
    BIRTHDAY = "birthday", _("Birthday")
    DELIVERY_SURVEY = "delivery_survey", _("Delivery survey")


def _positive(default: int, label: str, help_text: str, maximum: int = 3650):
    return models.PositiveIntegerField(
        label, default=default, help_text=help_text,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
    )


class JourneySettings(models.Model):
    """The single row of thresholds of the buyer scenarios, edited in the admin. Detectors
    read it on every run, so a change applies from the next run on."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)

    confirmation_enabled = models.BooleanField(_("remind to confirm the e-mail"), default=True)
    confirmation_days = _positive(
        2, _("days between reminders"),
        _("A buyer who has not confirmed is reminded this many days after registering, then "
          "again after as many days since the previous reminder."))
    confirmation_max_reminders = _positive(
        3, _("reminders at most"), _("No more reminders after this many."), maximum=20)

    first_purchase_enabled = models.BooleanField(
        _("send popular products before the first purchase"), default=True)
    first_purchase_days = _positive(
        3, _("days after confirming"),
        _("Buyers who confirmed their e-mail this many days ago, have no delivery address or "
          "phone and no order get one selection of popular products."))

    browse_enabled = models.BooleanField(
        _("remind of viewed products not added to the cart"), default=True)
    browse_hours = _positive(
        24, _("hours after the last view"),
        _("Counted from the buyer's last product view; nothing added to a cart since."),
        maximum=24 * 30)

    abandoned_cart_enabled = models.BooleanField(_("remind of abandoned carts"), default=True)
    abandoned_cart_hours = _positive(
        4, _("hours since the cart last changed"),
        _("One reminder per cart contents: changing the cart starts the wait again."),
        maximum=24 * 14)

    inactive_enabled = models.BooleanField(_("remind inactive buyers"), default=True)
    inactive_days = _positive(
        60, _("days without a visit"),
        _("Buyers who ordered before and have not visited for this many days get products "
          "from the categories they bought, once per absence."))

    birthday_enabled = models.BooleanField(_("send birthday greetings"), default=True)

    delivery_survey_enabled = models.BooleanField(_("ask about the delivery"), default=True)
    delivery_survey_hours = _positive(
        24, _("hours after delivery"), _("The survey goes out this long after delivery."),
        maximum=24 * 14)
    low_rating = models.PositiveSmallIntegerField(
        _("low rating"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("A rating at or below this (1 to 5) is e-mailed to the quality-control "
                    "department."))
    coupon_percent = models.PositiveSmallIntegerField(
        _("thank-you coupon, percent off"), null=True, blank=True, default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Fill this or the amount, not both."))
    coupon_amount = models.DecimalField(
        _("thank-you coupon, amount off"), max_digits=10, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(1)])
    coupon_valid_days = _positive(30, _("coupon valid for days"), "", maximum=365)

    selection_size = _positive(
        6, _("products per selection"), _("How many products a selection shows."), maximum=20)
    popular_days = _positive(
        30, _("popularity window, days"),
        _("Popular = most ordered (not cancelled) in this many days."), maximum=365)
    max_per_run = _positive(
        2000, _("messages per detector run at most"),
        _("The oldest cases go first; the rest wait for the next run (a run writes about "
          "100-200 messages a second)."), maximum=1_000_000)

    class Meta:
        verbose_name = _("journey settings")
        verbose_name_plural = _("journey settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="journeys_settings_single_row"),
        ]

    def __str__(self) -> str:
        return str(_("Buyer journey settings"))

    def clean(self) -> None:
        if (self.coupon_percent is None) == (self.coupon_amount is None):
            raise ValidationError(
                _("Give the thank-you coupon either a percent or an amount, not both."),
                code="coupon_value")

    @classmethod
    def load(cls) -> JourneySettings:
        """The settings row, created with the defaults on first use."""
        obj, _created = cls.objects.get_or_create(singleton=True)
        return obj

    def enabled(self, scenario: str) -> bool:
        return bool(getattr(self, f"{SCENARIO_PREFIX[scenario]}_enabled"))


#: The settings field prefix of each scenario.
SCENARIO_PREFIX = {
    Scenario.CONFIRMATION_REMINDER: "confirmation", Scenario.FIRST_PURCHASE: "first_purchase",
    Scenario.BROWSE: "browse", Scenario.ABANDONED_CART: "abandoned_cart",
    Scenario.INACTIVE: "inactive", Scenario.BIRTHDAY: "birthday",
    Scenario.DELIVERY_SURVEY: "delivery_survey",
}


class JourneyLog(models.Model):
    """One message a detector sent: what it was about, so the next run skips it in SQL.

    `subject_id` / `subject_at` name the thing the message was about (a cart and its change
    time, an order, the year of a birthday, the reminder number ...); `occurrence` is the
    notification engine's occurrence key, unique per scenario.
    """

    scenario = models.CharField(_("scenario"), max_length=32, choices=Scenario.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("buyer"))
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    subject_at = models.DateTimeField(_("subject time"), null=True, blank=True)
    occurrence = models.CharField(_("occurrence"), max_length=255)
    messages = models.PositiveIntegerField(_("messages written"), default=0)
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("journey message")
        verbose_name_plural = _("journey messages")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "occurrence"], name="journeys_log_occurrence_once"),
        ]
        indexes = [
            models.Index(fields=["scenario", "user", "created_at"], name="journeys_log_user_idx"),
            models.Index(fields=["scenario", "subject_id"], name="journeys_log_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()}: {self.occurrence}"


class InterestSurveyAnswer(models.Model):
    """A buyer answered the interest survey (the categories are on the buyer's profile)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interest_survey",
        verbose_name=_("buyer"))
    categories_count = models.PositiveSmallIntegerField(_("categories chosen"), default=0)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interest survey answer")
        verbose_name_plural = _("interest survey answers")

    def __str__(self) -> str:
        return str(self.user)


class Coupon(models.Model):
    """A single-use discount code given to one buyer on one storefront."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupons",
        verbose_name=_("buyer"))
    storefront = models.ForeignKey(
        "marketplace.Storefront", on_delete=models.CASCADE, related_name="coupons",
        verbose_name=_("storefront"))
    percent = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount off"), max_digits=10, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    valid_until = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_order = models.ForeignKey(
        "marketplace.Order", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("used on order"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(percent__isnull=False, amount__isnull=True,
                                    percent__gte=1, percent__lte=100)
                           | models.Q(percent__isnull=True, amount__isnull=False,
                                      amount__gt=0)),
                name="journeys_coupon_percent_or_amount"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def discount_text(self) -> str:
        return f"{self.percent}%" if self.percent is not None else f"{self.amount:.2f} ₽"


class DeliverySurveyAnswer(models.Model):
    """A buyer's rating of one order's delivery, with the shipping method it was about."""

    order = models.OneToOneField(
        "marketplace.Order", on_delete=models.CASCADE, related_name="delivery_survey_answer",
        verbose_name=_("order"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("buyer"))
    shipping_method = models.ForeignKey(
        "marketplace.ShippingMethod", on_delete=models.PROTECT, related_name="survey_answers",
        verbose_name=_("shipping method"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    coupon = models.OneToOneField(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("thank-you coupon"))
    quality_notified = models.BooleanField(_("sent to quality control"), default=False)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("delivery survey answer")
        verbose_name_plural = _("delivery survey answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="journeys_survey_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"#{self.order_id}: {self.rating}/5"
