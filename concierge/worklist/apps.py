from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    name = "concierge.worklist"
    label = "worklist"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from concierge.web.navigation import NavItem, register

        register("accounts", NavItem(_("Tasks"), "worklist:task_list", "bi-check2-square", ("task_", "calendar_"),
                                     order=3))
