from django.db import models
from django.utils.translation import gettext_lazy as _


class TransactionKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    ADJUST = "adjust", _("Adjustment")
    EXPIRE = "expire", _("Expired")
    REVERSE = "reverse", _("Reversal")


class RewardKind(models.TextChoices):
    ROOM_NIGHT = "room_night", _("Room night")
    FNB_VOUCHER = "fnb_voucher", _("F&B voucher")
    UPGRADE = "upgrade", _("Upgrade")
    EXPERIENCE = "experience", _("Experience")


class BonusKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    FIRST_STAY = "first_stay", _("First stay")
    BIRTHDAY_MONTH = "birthday_month", _("Birthday month")


class RedemptionStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class TierChangeKind(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    DOWNGRADE = "downgrade", _("Downgrade")
