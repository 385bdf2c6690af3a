"""Messaging: templates per channel and language, the outbox, per-property suppression settings, channel addresses.

The outbox (`Message`) is the single record of every message we tried to send to a guest, whichever module asked
(campaigns, journeys, surveys later): what was rendered, to which address, and what happened (sent, suppressed with
the reason, failed). Campaigns and journeys attach through the free `source` + `source_id` pair.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concierge.core.querysets import ScopedQuerySet
from concierge.messaging.choices import Channel, MessageStatus, Purpose, Reason


class MessageTemplate(models.Model):
    """A message written once per language (zh-hans, en) with placeholders such as {{ guest.name }}.

    Placeholders are checked on save (`clean`): only the names in `rendering.PLACEHOLDERS` and a few harmless tags
    and filters are allowed, so a template can never reach into the database or settings.
    """

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=14, choices=Purpose.choices, default=Purpose.MARKETING)
    name = models.CharField(_("template name"), max_length=120)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("body (Chinese)"))
    body_en = models.TextField(_("body (English)"))
    provider_template_id = models.CharField(
        _("provider template id"), max_length=100, blank=True,
        help_text=_("SMS signature/template code or WeChat template id registered with the provider."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["code", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel"], name="messagetemplate_code_channel",
                violation_error_message=_("A template with this code already exists for this channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_channel_display()})"

    def clean(self) -> None:
        from concierge.messaging.rendering import validate_template_fields

        validate_template_fields(self)

    def save(self, *args: object, **kwargs: object) -> None:
        # Validation of placeholders is part of the row's integrity (a bad template would fail at send time for
        # every guest), so it runs on every save, not only through forms.
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def subject_in(self, language: str) -> str:
        return (self.subject_zh if language.startswith("zh") else self.subject_en) or self.subject_en or self.subject_zh

    def body_in(self, language: str) -> str:
        return (self.body_zh if language.startswith("zh") else self.body_en) or self.body_en or self.body_zh


class Message(models.Model):
    """One outbox row: one message to one guest on one channel. The idempotency key makes a send happen once."""

    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
        verbose_name=_("guest"),
    )
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("property"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=14, choices=Purpose.choices, default=Purpose.MARKETING)
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages",
        verbose_name=_("template"),
    )
    language = models.CharField(_("language"), max_length=10)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True, help_text=_("e.g. campaign, journey"))
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("outbox", "message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["guest", "-sent_at"], name="message_guest_sent"),
            models.Index(fields=["status", "not_before"], name="message_status_due"),
            models.Index(fields=["source", "source_id"], name="message_source"),
            models.Index(fields=["-created_at"], name="message_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient or self.guest_id} ({self.status})"

    def anonymize(self) -> None:
        """Erasure: drop the address and the rendered text (they hold personal data); status and reason stay."""
        self.guest = None
        self.recipient = self.subject = self.body = self.unsubscribe_url = ""


class SuppressionRule(models.Model):
    """A property's rules for marketing messages: quiet hours in its local time and a monthly cap per guest.

    Without a row, `DEFAULT_RULE` applies. Quiet hours may run over midnight (21:00 → 08:00).
    """

    property = models.OneToOneField(
        "properties.Property", on_delete=models.CASCADE, related_name="suppression_rule", verbose_name=_("property")
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True, default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True, default=dt.time(8, 0))
    monthly_cap = models.PositiveSmallIntegerField(
        _("marketing messages per guest per month"), null=True, blank=True, default=4,
        validators=[MaxValueValidator(100)], help_text=_("Empty: no cap."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_property_field = "property_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppression rule")
        verbose_name_plural = _("suppression rules")

    def __str__(self) -> str:
        return str(self.property)

    def clean(self) -> None:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError({"quiet_end": _("Give both the start and the end of quiet hours, or neither.")})
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValidationError({"quiet_end": _("Quiet hours must end at a different time than they start.")})


class ChannelAddress(models.Model):
    """An address on a channel the guest profile has no field for (the WeChat openid of the hotel's account)."""

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="channel_addresses")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel address")
        verbose_name_plural = _("channel addresses")
        constraints = [models.UniqueConstraint(fields=["guest", "channel"], name="channeladdress_guest_channel")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"
