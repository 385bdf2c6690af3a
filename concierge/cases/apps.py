from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "concierge.cases"
    label = "cases"
    verbose_name = _("Service centre")

    def ready(self) -> None:
        from concierge.cases.permissions import can_work_cases
        from concierge.cases.selectors import open_case_items
        from concierge.guests.selectors import OPEN_ITEM_PROVIDERS
        from concierge.web.navigation import NavItem, register

        register("service", NavItem(_("Cases"), "cases:case_list", "bi-life-preserver",
                                    ("case_",), visible=can_work_cases, order=10))
        register("service", NavItem(_("Screen pop"), "cases:screen_pop", "bi-telephone-inbound",
                                    ("screen_pop",), visible=can_work_cases, order=20))
        register("service", NavItem(_("SLA breaches"), "cases:breach_list", "bi-alarm",
                                    ("breach_",), visible=can_work_cases, order=30))
        register("service", NavItem(_("Knowledge base"), "cases:kb_list", "bi-journal-text",
                                    ("kb_",), visible=can_work_cases, order=40))
        register("service", NavItem(_("Lost & found"), "cases:lost_list", "bi-box-seam",
                                    ("lost_",), visible=can_work_cases, order=50))
        register("service", NavItem(_("Service numbers"), "cases:service_metrics", "bi-graph-up",
                                    ("service_metrics",), visible=can_work_cases, order=60))
        if open_case_items not in OPEN_ITEM_PROVIDERS:
            OPEN_ITEM_PROVIDERS.append(open_case_items)
