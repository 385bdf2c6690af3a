from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "concierge.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from concierge.sales.permissions import can_handover, is_sales_staff
        from concierge.web.navigation import NavItem, register

        register("accounts", NavItem(_("Today"), "sales:today", "bi-sunrise", ("today",), visible=is_sales_staff,
                                     order=1))
        register("accounts", NavItem(_("My accounts"), "sales:my_accounts", "bi-briefcase", ("my_accounts", "account_"),
                                     visible=is_sales_staff, order=5))
        register("accounts", NavItem(_("Handover"), "sales:handover", "bi-arrow-left-right", ("handover",),
                                     visible=can_handover, order=80))
        register("system", NavItem(_("Help"), "sales:help", "bi-question-circle", ("help",), order=10))
