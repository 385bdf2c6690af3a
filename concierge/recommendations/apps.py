from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "concierge.recommendations"
    label = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from concierge.guests.selectors import CARD_INSIGHT_PROVIDERS
        from concierge.recommendations.card import card_offers
        from concierge.recommendations.permissions import can_view_rules
        from concierge.web.navigation import NavItem, register

        register("insight", NavItem(_("Product affinities"), "recommendations:rule_list", "bi-diagram-3",
                                      ("rule_", "product_detail"), visible=can_view_rules, order=60))
        if card_offers not in CARD_INSIGHT_PROVIDERS:
            CARD_INSIGHT_PROVIDERS.append(card_offers)
