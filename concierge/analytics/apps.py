from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "concierge.analytics"
    label = "analytics"
    verbose_name = _("Customer value")

    def ready(self) -> None:
        from concierge.analytics.permissions import can_edit_cost_ratios, can_view_value
        from concierge.analytics.selectors import guest_value_insights
        from concierge.guests.selectors import CARD_INSIGHT_PROVIDERS
        from concierge.web.navigation import NavItem, register

        register("insight", NavItem(_("Customer value"), "analytics:value_overview", "bi-gem", ("value_",),
                                      visible=can_view_value, order=20))
        register("insight", NavItem(_("Region & industry"), "analytics:breakdowns", "bi-globe-asia-australia",
                                      ("breakdowns",), visible=can_view_value, order=25))
        register("system", NavItem(_("Cost ratios"), "analytics:cost_ratios", "bi-sliders", ("cost_ratios",),
                                   visible=can_edit_cost_ratios, order=60))
        if guest_value_insights not in CARD_INSIGHT_PROVIDERS:
            CARD_INSIGHT_PROVIDERS.append(guest_value_insights)
