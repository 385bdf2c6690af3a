from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClvConfig(AppConfig):
    name = "concierge.clv"
    label = "clv"
    verbose_name = _("Lifetime value and churn")

    def ready(self) -> None:
        from concierge.clv.insights import clv_card_insights
        from concierge.clv.permissions import can_view_churn_risk, can_view_clv_models
        from concierge.guests.selectors import CARD_INSIGHT_PROVIDERS
        from concierge.web.navigation import NavItem, register

        register("insight", NavItem(_("Churn risk"), "clv:clv_churn_risk", "bi-person-dash", ("clv_churn",),
                                      visible=can_view_churn_risk, order=60))
        register("insight", NavItem(_("Lifetime value models"), "clv:clv_models", "bi-graph-up-arrow",
                                      ("clv_model", "clv_refit"), visible=can_view_clv_models, order=65))
        if clv_card_insights not in CARD_INSIGHT_PROVIDERS:
            CARD_INSIGHT_PROVIDERS.append(clv_card_insights)
