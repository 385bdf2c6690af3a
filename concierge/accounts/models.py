"""Staff users, their role and the properties they work at."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from concierge.accounts.choices import GROUP_WIDE_ROLES, Role


class User(AbstractUser):
    """A staff member. `role` decides what they may do, `properties` whose guests they may see."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.FRONT_DESK)
    properties = models.ManyToManyField(
        "properties.Property", blank=True, related_name="staff", verbose_name=_("properties")
    )
    all_properties = models.BooleanField(
        _("all properties"), default=False, help_text=_("Sees guests of every property of the group.")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("Created by seed_demo; refused when demo logins are off.")
    )

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_properties(self) -> bool:
        """Group-wide roles, superusers and users flagged `all_properties` see every property."""
        return self.is_superuser or self.all_properties or self.role in GROUP_WIDE_ROLES

    def property_ids(self) -> list[int] | None:
        """Ids of the properties this user works at; None means all properties."""
        if self.sees_all_properties:
            return None
        cached = getattr(self, "_property_ids_cache", None)
        if cached is None:
            cached = list(self.properties.values_list("id", flat=True))
            self._property_ids_cache = cached
        return cached


class StaffDeactivation(models.Model):
    """One "deactivate a colleague" request: who leaves, who takes over what they own, and how far it got.

    Large handovers run in Celery; the staff screen polls `status`. The moved records themselves are listed on
    the `sales.Handover` it produced (kept forever, like the ownership history).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deactivations",
                             verbose_name=_("staff user"))
    successor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("successor"))
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    owned = models.JSONField(_("owned records"), default=dict, blank=True)
    handover = models.ForeignKey("sales.Handover", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("handover"))
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff deactivation")
        verbose_name_plural = _("staff deactivations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.successor_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
