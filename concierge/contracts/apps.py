from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "concierge.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from concierge.web.navigation import NavItem, register

        register("accounts", NavItem(_("Contracts"), "contracts:contract_list", "bi-file-earmark-text",
                                     ("contract_",), order=40))
