from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "concierge.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from concierge.privacy.permissions import can_handle_personal_data_requests
        from concierge.web.navigation import NavItem, register

        register("system", NavItem(_("Personal data requests"), "privacy:erasure_log", "bi-shield-lock",
                                   ("erasure_",), visible=can_handle_personal_data_requests, order=40))
