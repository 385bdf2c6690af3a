from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "concierge.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from concierge.dashboards.permissions import can_view_dashboards
        from concierge.web.navigation import NavItem, register

        register("insight", NavItem(_("Management overview"), "dashboards:overview", "bi-speedometer2",
                                      ("overview",), visible=can_view_dashboards, order=1))
        register("insight", NavItem(_("Customer flow"), "dashboards:flow", "bi-arrow-left-right",
                                      ("flow",), visible=can_view_dashboards, order=2))
