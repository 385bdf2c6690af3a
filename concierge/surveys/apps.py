from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "concierge.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from concierge.surveys.permissions import can_manage_surveys
        from concierge.web.navigation import NavItem, register

        register("service", NavItem(_("Surveys"), "surveys:survey_list", "bi-clipboard2-check",
                                    ("survey_", "question_", "response_", "invitation_", "audience_"), order=40))
        register("service", NavItem(_("Changes to compare"), "surveys:marker_list", "bi-signpost-split",
                                    ("marker_",), visible=can_manage_surveys, order=45))
