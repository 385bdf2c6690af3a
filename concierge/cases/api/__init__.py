"""REST endpoints of the service centre, included under /api/v1/ by concierge/api/urls.py."""
from django.urls import path

from concierge.cases.api.views import (
    ArticleDetailApi,
    CaseAssignApi,
    CaseDetailApi,
    CaseListCreateApi,
    CaseReopenApi,
    CaseResolveApi,
    CaseRespondApi,
    CaseTransitionApi,
    KbSearchApi,
    LostItemListCreateApi,
    ScreenPopApi,
    ServiceMetricsApi,
)

urlpatterns = [
    path("screen-pop/", ScreenPopApi.as_view(), name="screen-pop"),
    path("cases/", CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:pk>/assign/", CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<int:pk>/transition/", CaseTransitionApi.as_view(), name="case-transition"),
    path("cases/<int:pk>/respond/", CaseRespondApi.as_view(), name="case-respond"),
    path("cases/<int:pk>/resolve/", CaseResolveApi.as_view(), name="case-resolve"),
    path("cases/<int:pk>/reopen/", CaseReopenApi.as_view(), name="case-reopen"),
    path("kb/search/", KbSearchApi.as_view(), name="kb-search"),
    path("kb/articles/<int:pk>/", ArticleDetailApi.as_view(), name="kb-article"),
    path("lost-items/", LostItemListCreateApi.as_view(), name="lost-item-list"),
    path("service-metrics/", ServiceMetricsApi.as_view(), name="service-metrics"),
]
