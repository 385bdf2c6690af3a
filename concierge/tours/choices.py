from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DepartureStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("departure status", "Open")
    CLOSED = "closed", pgettext_lazy("departure status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("departure status", "Cancelled")


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("tour order status", "Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("tour order status", "Cancelled")


class DocumentLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Chinese")
    EN = "en", _("English")
