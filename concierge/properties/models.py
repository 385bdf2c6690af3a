"""Hotel groups and their properties (hotels)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class HotelGroup(models.Model):
    """A hotel group or management company; owns properties."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("hotel group")
        verbose_name_plural = _("hotel groups")

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Property(models.Model):
    """One hotel. Guest data is scoped by property: staff see the properties they work at."""

    group = models.ForeignKey(HotelGroup, on_delete=models.PROTECT, related_name="properties", verbose_name=_("group"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en
