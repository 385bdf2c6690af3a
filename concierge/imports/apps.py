from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "concierge.imports"
    label = "imports"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from concierge.imports.permissions import can_import
        from concierge.web.navigation import NavItem, register

        # Shown once "web:import_list" resolves (concierge/web/urls.py includes urls_imports) and to importers only.
        register("data", NavItem(_("Imports"), "web:import_list", "bi-upload", ("import_",), visible=can_import,
                                 order=20))
