from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "concierge.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from concierge.segments.permissions import can_view_segments
        from concierge.web.navigation import NavItem, register

        register("marketing", NavItem(_("Segments"), "segments:segment_list", "bi-funnel", ("segment_",),
                                      visible=can_view_segments, order=20))
