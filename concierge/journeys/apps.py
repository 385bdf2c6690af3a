from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "concierge.journeys"
    label = "journeys"
    verbose_name = _("Journeys")

    def ready(self) -> None:
        from concierge.journeys.permissions import can_manage_journeys
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Journeys"), "journeys:journey_list", "bi-signpost-split",
                                      ("journey_", "step_", "trigger_"), visible=can_manage_journeys, order=25))
