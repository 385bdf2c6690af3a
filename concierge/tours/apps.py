from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToursConfig(AppConfig):
    name = "concierge.tours"
    label = "tours"
    verbose_name = _("Tour products")

    def ready(self) -> None:
        from concierge.web.navigation import NavItem, register

        register("accounts", NavItem(_("Tour products"), "tours:tour_product_list", "bi-signpost-2",
                                     ("tour_product_", "tour_departure_"), order=60))
        register("accounts", NavItem(_("Tour orders"), "tours:tour_order_list", "bi-ticket-perforated",
                                     ("tour_order_",), order=61))
