from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "concierge.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from concierge.campaigns import services
        from concierge.campaigns.permissions import can_view_campaigns
        from concierge.messaging import hooks
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Campaigns"), "campaigns:campaign_list", "bi-megaphone", ("campaign_",),
                                      visible=can_view_campaigns, order=10))
        # Tracking and touches hang off the outbox through its hooks (messaging must not know about campaigns).
        for hook_list, hook in ((hooks.EMAIL_HTML_HOOKS, services.on_message_html),
                                (hooks.DELIVERY_HOOKS, services.on_message_delivery),
                                (hooks.UNSUBSCRIBE_HOOKS, services.on_unsubscribe)):
            if hook not in hook_list:
                hook_list.append(hook)
