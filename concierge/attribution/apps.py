from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttributionConfig(AppConfig):
    name = "concierge.attribution"
    label = "attribution"
    verbose_name = _("Attribution")

    def ready(self) -> None:
        from concierge.attribution.permissions import can_view_attribution
        from concierge.attribution.views import leads_panel, roi_panel
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Campaign ROI"), "attribution:roi_list", "bi-graph-up-arrow",
                                      ("roi_", "lead_import_"), visible=can_view_attribution, order=40))
        try:  # the campaigns app owns the campaign page and its panel registry
            from concierge.campaigns.selectors import CAMPAIGN_REPORT_PANELS
        except ImportError:
            return
        for panel in (roi_panel, leads_panel):
            if panel not in CAMPAIGN_REPORT_PANELS:
                CAMPAIGN_REPORT_PANELS.append(panel)
