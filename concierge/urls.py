"""URL configuration: the web UI at /, the REST API at /api/v1/, Django admin at /admin/."""
from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (language is switched via set_language)
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("concierge.api.urls")),
    path("service/", include("concierge.cases.urls")),
    path("faq/", include("concierge.cases.urls_public")),
    path("surveys/", include("concierge.surveys.urls")),
    path("value/", include("concierge.analytics.urls")),
    path("recommendations/", include("concierge.recommendations.urls")),
    path("dashboards/", include("concierge.dashboards.urls")),
    path("clv/", include("concierge.clv.urls")),
    path("loyalty/", include("concierge.loyalty.urls")),
    path("segments/", include("concierge.segments.urls")),
    path("messaging/", include("concierge.messaging.urls")),
    path("m/", include("concierge.messaging.urls_public")),
    path("tasks/", include("concierge.worklist.urls")),
    path("campaigns/", include("concierge.campaigns.urls")),
    path("journeys/", include("concierge.journeys.urls")),
    path("attribution/", include("concierge.attribution.urls")),
    path("sales/", include("concierge.sales.urls")),
    path("pipeline/", include("concierge.pipeline.urls")),
    path("t/", include("concierge.campaigns.urls_public")),
    path("contracts/", include("concierge.contracts.urls")),
    path("tours/", include("concierge.tours.urls")),
    path("privacy/", include("concierge.privacy.urls")),
    path("account/", include("concierge.accounts.urls")),
    path("", include("concierge.web.urls")),
]

# Error pages without stack traces or SQL; JSON under /api/ (concierge.core.security).
handler400 = "concierge.core.security.bad_request"
handler403 = "concierge.core.security.permission_denied"
handler404 = "concierge.core.security.page_not_found"
handler500 = "concierge.core.security.server_error"
