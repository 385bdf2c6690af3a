from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToursConfig(AppConfig):
    name = "concierge.tours"
    label = "tours"
    verbose_name = _("Tour products")

    def ready(self) -> None:
        pass
