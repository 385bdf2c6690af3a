"""Personal-data rights: the register of unsuitable customers kept as keyed hashes, and the log of erasures."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FingerprintKind(models.TextChoices):
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    NAME_BIRTHDAY = "name_birthday", _("Name and birthday")


class UnsuitableFingerprint(models.Model):
    """What remains of an erased "unsuitable" customer: keyed hashes (HMAC, `BLIND_INDEX_KEY`) of identifiers.

    Nothing here can be read back into a name or a number; a new profile whose identifiers hash to the same value
    is flagged to staff as matching an erased unsuitable customer, with the reason that was recorded.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=FingerprintKind.choices)
    digest = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("unsuitable-customer fingerprint")
        verbose_name_plural = _("unsuitable-customer fingerprints")
        indexes = [models.Index(fields=["kind", "digest"], name="unsuitable_fp_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:8]}…"


class Erasure(models.Model):
    """One erasure: which profile (by id only), why, by whom, and how many rows each module changed."""

    class Basis(models.TextChoices):
        REQUEST = "request", _("Request of the person")
        RETENTION = "retention", _("Retention period ended")

    guest_id_erased = models.PositiveBigIntegerField(_("profile id"), db_index=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    counts = models.JSONField(default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"#{self.guest_id_erased} ({self.basis})"
