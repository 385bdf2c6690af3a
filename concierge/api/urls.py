"""REST API v1: /api/v1/…"""
from django.urls import include, path

from concierge.api.views.auth import TokenObtainApi
from concierge.api.views.companies import CompanyDetailApi, CompanyListCreateApi, ContactDetailApi, ContactListCreateApi
from concierge.api.views.docs import ApiDocsView, SchemaApi
from concierge.api.views.guests import GuestCardApi, GuestDetailApi, GuestListCreateApi, GuestLookupApi
from concierge.api.views.records import (
    AlertDetailApi,
    AlertListCreateApi,
    ConsentListCreateApi,
    PreferenceDetailApi,
    PreferenceListCreateApi,
    TimelineApi,
)
from concierge.api.views.reveal import GuestRevealIdApi
from concierge.api.views.search import SearchApi
from concierge.api.views.stays import StayDetailApi, StayListCreateApi

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("schema/", SchemaApi.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(), name="docs"),
    path("search/", SearchApi.as_view(), name="search"),
    path("guests/", GuestListCreateApi.as_view(), name="guest-list"),
    path("guests/lookup/", GuestLookupApi.as_view(), name="guest-lookup"),
    path("guests/<int:pk>/", GuestDetailApi.as_view(), name="guest-detail"),
    path("guests/<int:pk>/card/", GuestCardApi.as_view(), name="guest-card"),
    path("guests/<int:pk>/reveal-id/", GuestRevealIdApi.as_view(), name="guest-reveal-id"),
    path("companies/", CompanyListCreateApi.as_view(), name="company-list"),
    path("companies/<int:pk>/", CompanyDetailApi.as_view(), name="company-detail"),
    path("contacts/", ContactListCreateApi.as_view(), name="contact-list"),
    path("contacts/<int:pk>/", ContactDetailApi.as_view(), name="contact-detail"),
    path("stays/", StayListCreateApi.as_view(), name="stay-list"),
    path("stays/<int:pk>/", StayDetailApi.as_view(), name="stay-detail"),
    path("preferences/", PreferenceListCreateApi.as_view(), name="preference-list"),
    path("preferences/<int:pk>/", PreferenceDetailApi.as_view(), name="preference-detail"),
    path("alerts/", AlertListCreateApi.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", AlertDetailApi.as_view(), name="alert-detail"),
    path("consents/", ConsentListCreateApi.as_view(), name="consent-list"),
    path("timeline/", TimelineApi.as_view(), name="timeline"),
    path("imports/", include("concierge.api.imports")),
    path("", include("concierge.cases.api")),
    path("", include("concierge.surveys.api")),
    path("analytics/", include("concierge.analytics.api")),
    path("", include("concierge.recommendations.api")),
    path("", include("concierge.dashboards.api")),
    path("", include("concierge.loyalty.api")),
    path("", include("concierge.clv.api")),
    path("", include("concierge.messaging.api")),
    path("", include("concierge.segments.api")),
    path("", include("concierge.worklist.api")),
    path("", include("concierge.campaigns.api")),
    path("", include("concierge.journeys.api")),
    path("", include("concierge.attribution.api")),
    path("", include("concierge.sales.api")),
    path("", include("concierge.pipeline.api")),
    path("", include("concierge.contracts.api")),
    path("", include("concierge.tours.api")),
    path("", include("concierge.privacy.api")),
]
