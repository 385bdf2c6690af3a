from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "concierge.pipeline"
    label = "pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        from concierge.pipeline.permissions import can_use_pipeline
        from concierge.web.navigation import NavItem, register

        register("accounts", NavItem(_("Pipeline"), "pipeline:kanban", "bi-kanban",
                                     ("kanban", "opportunity_"), visible=can_use_pipeline, order=40))
        register("accounts", NavItem(_("Forecast"), "pipeline:forecast", "bi-graph-up-arrow", ("forecast",),
                                     visible=can_use_pipeline, order=41))
        register("accounts", NavItem(_("Scorecards"), "pipeline:scorecards", "bi-trophy",
                                     ("scorecards", "targets"), visible=can_use_pipeline, order=42))
