from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "concierge.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from concierge.dedupe.services.merge import MERGE_PREPARERS
        from concierge.guests.selectors import CARD_INSIGHT_PROVIDERS
        from concierge.loyalty.handlers import stay_saved
        from concierge.loyalty.selectors import card_insights
        from concierge.loyalty.services import memberships_merge
        from concierge.stays.models import Stay
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Loyalty"), "loyalty:member_list", "bi-award",
                                      ("loyalty_", "member_", "programme_", "reward_"), order=30))
        if memberships_merge not in MERGE_PREPARERS:
            MERGE_PREPARERS.append(memberships_merge)
        if card_insights not in CARD_INSIGHT_PROVIDERS:
            CARD_INSIGHT_PROVIDERS.append(card_insights)
        # Earning is a decoupled side effect of a stay being checked out (stays must not know about loyalty).
        post_save.connect(stay_saved, sender=Stay, dispatch_uid="loyalty.stay_saved")
