"""Choices of the messaging layer: channels, purposes, outbox statuses and the reasons a message is held back."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The same codes as guests.ConsentChannel: consent is looked up by channel code."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class Purpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    TRANSACTIONAL = "transactional", _("Transactional")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")


class Reason(models.TextChoices):
    """Why a message was not sent (suppressed), is waiting (queued), or failed."""

    NO_CONSENT = "no_consent", _("No consent for this channel")
    UNSUBSCRIBED = "unsubscribed", _("Guest unsubscribed from this channel")
    UNSUITABLE = "unsuitable", _("Guest marked unsuitable")
    ERASED = "erased", _("Guest erased")
    MERGED = "merged", _("Guest merged into another profile")
    NO_ADDRESS = "no_address", _("No address for this channel")
    CAP_REACHED = "cap_reached", _("Monthly marketing cap reached")
    QUIET_HOURS = "quiet_hours", _("Quiet hours: waiting until they end")
    RETRY = "retry", _("Provider unavailable: will retry")
    PROVIDER_ERROR = "provider_error", _("Provider rejected the message")
