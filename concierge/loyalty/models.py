"""Loyalty programme: rules (programme, tiers, bonus rules), members, the points ledger and the reward catalogue.

The ledger (`PointTransaction`) is append-only. A member's balance is always `SUM(points)` of their rows, computed
in the database; no balance is stored anywhere, so nothing can drift. Corrections are new rows (adjust, reverse).
"""
from __future__ import annotations

import builtins
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet
from concierge.loyalty.choices import BonusKind, RedemptionStatus, RewardKind, TierChangeKind, TransactionKind


def _localized(zh: str, en: str) -> str:
    return zh if (get_language() or "").startswith("zh") else en


class Programme(models.Model):
    """The loyalty rules of one hotel group: earn rates, point expiry and the tier grace period."""

    group = models.OneToOneField(
        "properties.HotelGroup", on_delete=models.CASCADE, related_name="loyalty_programme", verbose_name=_("group")
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    room_points_per_unit = models.DecimalField(
        _("points per currency unit of room revenue"), max_digits=8, decimal_places=3, default=Decimal("1")
    )
    fnb_points_per_unit = models.DecimalField(
        _("points per currency unit of F&B revenue"), max_digits=8, decimal_places=3, default=Decimal("1")
    )
    other_points_per_unit = models.DecimalField(
        _("points per currency unit of other revenue"), max_digits=8, decimal_places=3, default=Decimal("0.5")
    )
    points_per_night = models.PositiveIntegerField(_("points per room night"), default=0)
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months)"), default=24, help_text=_("0 = points never expire.")
    )
    grace_months = models.PositiveSmallIntegerField(
        _("grace period before a downgrade (months)"), default=3
    )
    auto_enrol = models.BooleanField(
        _("enrol guests automatically at check-out"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")

    def __str__(self) -> str:
        return _localized(self.name_zh, self.name_en)


class Tier(models.Model):
    """A membership level. A member qualifies when their qualifying points *or* nights over the rolling 12 months
    reach the tier's threshold (a threshold of 0 is not used, unless both are 0: the entry tier)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(_("code"), max_length=30)
    name_zh = models.CharField(_("name (Chinese)"), max_length=30)
    name_en = models.CharField(_("name (English)"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("0 = entry tier; higher is better."))
    min_points = models.PositiveIntegerField(_("qualifying points (12 months)"), default=0)
    min_nights = models.PositiveIntegerField(_("qualifying nights (12 months)"), default=0)
    benefits_zh = models.TextField(_("benefits (Chinese)"), blank=True, help_text=_("One benefit per line."))
    benefits_en = models.TextField(_("benefits (English)"), blank=True, help_text=_("One benefit per line."))

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="loyalty_tier_code_unique",
                                    violation_error_message=_("A tier with this code already exists.")),
            models.UniqueConstraint(fields=["programme", "order"], name="loyalty_tier_order_unique",
                                    violation_error_message=_("Another tier has this order.")),
        ]

    def __str__(self) -> str:
        return self.name

    @builtins.property
    def name(self) -> str:
        return _localized(self.name_zh, self.name_en)

    @builtins.property
    def benefit_lines(self) -> list[str]:
        text = _localized(self.benefits_zh, self.benefits_en)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def qualifies(self, points: int, nights: int) -> bool:
        """The tier rule in Python (the nightly job uses the same rule in SQL)."""
        if not self.min_points and not self.min_nights:
            return True
        return bool((self.min_points and points >= self.min_points) or (self.min_nights and nights >= self.min_nights))


class BonusRule(models.Model):
    """Extra points on a stay: a campaign (date window, optionally one property), the first stay, the birthday month.

    Extra = base points × (multiplier − 1) + fixed points. Bonus points count toward the balance, not toward tiers.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="bonus_rules")
    kind = models.CharField(_("kind"), max_length=20, choices=BonusKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=Decimal("1"))
    fixed_points = models.PositiveIntegerField(_("fixed points"), default=0)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"), help_text=_("Empty = all properties."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["kind", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(multiplier__gte=1), name="loyalty_bonus_multiplier_min",
                                   violation_error_message=_("The multiplier must be at least 1.")),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="loyalty_bonus_window", violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return _localized(self.name_zh, self.name_en)


class Membership(models.Model):
    """A guest's membership: number, current tier, and the grace date after which a pending downgrade applies."""

    guest = models.OneToOneField("guests.Guest", on_delete=models.CASCADE, related_name="membership",
                                 verbose_name=_("guest"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    number = models.CharField(_("membership number"), max_length=20, unique=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("tier"))
    tier_since = models.DateField(_("tier since"), default=timezone.localdate)
    grace_until = models.DateField(
        _("downgrade pending after"), null=True, blank=True,
        help_text=_("Set when the member falls below their tier; cleared when they requalify."),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_at", "-id"]
        indexes = [models.Index(fields=["tier"], name="loyalty_membership_tier")]

    def __str__(self) -> str:
        return self.number


class PointTransactionQuerySet(ScopedQuerySet):
    """Ledger rows can only be added: bulk updates and deletes are refused (corrections are new rows)."""

    def update(self, **kwargs: object) -> int:
        raise ValidationError(_("Point transactions cannot be changed; add a correcting transaction."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("Point transactions cannot be deleted; add a correcting transaction."))


class PointTransaction(models.Model):
    """One immutable ledger row. `points` is signed; the balance is the sum of a member's rows.

    `qualifying_points` and `nights` count toward tiers over a rolling 12 months, by `occurred_on` (the departure
    date for stay earnings; a reversal carries the date of the row it reverses, so it leaves the same window).
    `expires_on` is set on rows that add points (earn, positive adjust) when the programme expires points.
    """

    # No separate index: loyalty_tx_member_time (membership, created_at) covers look-ups by member.
    # PROTECT: the ledger is never deleted with its membership (e.g. by a guest merge that would drop the merged
    # profile's membership); such an operation is refused instead of silently losing points.
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transactions", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=TransactionKind.choices)
    points = models.IntegerField(_("points"))
    qualifying_points = models.IntegerField(_("qualifying points"), default=0)
    nights = models.IntegerField(_("qualifying nights"), default=0)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    stay = models.ForeignKey("stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("stay"))
    stay_revision = models.PositiveIntegerField(default=0, help_text="Earn rows of one stay are numbered 1, 2, ...")
    reward = models.ForeignKey("loyalty.Reward", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("reward"))
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="reversal", verbose_name=_("reverses"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PointTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("point transaction")
        verbose_name_plural = _("point transactions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Covering (PostgreSQL): the balance SUM and the statement read points from the index alone.
            models.Index(fields=["membership", "created_at"], include=["points"], name="loyalty_tx_member_time"),
            models.Index(fields=["occurred_on", "membership"], name="loyalty_tx_occurred"),
        ]
        constraints = [
            # A stay earns once per revision: two workers racing to earn the same stay cannot both insert.
            models.UniqueConstraint(fields=["stay", "stay_revision"], condition=models.Q(kind="earn"),
                                    name="loyalty_tx_stay_earns_once"),
            models.CheckConstraint(
                condition=~models.Q(kind="reverse") | models.Q(reverses__isnull=False),
                name="loyalty_tx_reverse_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValidationError(_("Point transactions cannot be changed; add a correcting transaction."))
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("Point transactions cannot be deleted; add a correcting transaction."))


class Reward(models.Model):
    """A catalogue item members redeem points for. `stock` empty = unlimited."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rewards")
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    points_cost = models.PositiveIntegerField(_("points"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty = unlimited."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_cost", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="loyalty_reward_code_unique"),
            models.CheckConstraint(condition=models.Q(points_cost__gt=0), name="loyalty_reward_cost_positive",
                                   violation_error_message=_("A reward costs at least one point.")),
        ]

    def __str__(self) -> str:
        return self.name

    @builtins.property
    def name(self) -> str:
        return _localized(self.name_zh, self.name_en)


class Redemption(models.Model):
    """A reward a member took; its ledger row is `transaction` (kind redeem)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=10, choices=RedemptionStatus.choices,
                              default=RedemptionStatus.CONFIRMED)
    transaction = models.OneToOneField(PointTransaction, on_delete=models.CASCADE, related_name="redemption")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("redeemed"), default=timezone.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reward} ×{self.quantity}"


class TierChange(models.Model):
    """The log of tier upgrades and downgrades (by the nightly evaluation or by hand)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tier_changes")
    kind = models.CharField(_("kind"), max_length=10, choices=TierChangeKind.choices)
    from_tier = models.ForeignKey(Tier, null=True, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    qualifying_points = models.IntegerField(default=0)
    nights = models.IntegerField(default=0)
    effective_on = models.DateField(_("effective"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["membership", "-effective_on"], name="loyalty_tierchange_member")]

    def __str__(self) -> str:
        return f"{self.from_tier} → {self.to_tier}"
