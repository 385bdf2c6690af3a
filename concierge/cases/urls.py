"""Service-centre pages, mounted at /service/ in the "cases" namespace (see concierge/urls.py)."""
from django.urls import path

from concierge.cases.views import cases, kb, lost, reports, screen_pop

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:pk>/status/", cases.case_transition, name="case_transition"),
    path("cases/<int:pk>/respond/", cases.case_respond, name="case_respond"),
    path("cases/<int:pk>/note/", cases.case_note, name="case_note"),
    path("cases/<int:pk>/resolve/", cases.case_resolve, name="case_resolve"),
    path("cases/<int:pk>/reopen/", cases.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/escalate/", cases.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/guest-told/", cases.case_guest_told, name="case_guest_told"),
    path("cases/<int:pk>/promote/", cases.case_promote, name="case_promote"),
    path("breaches/", reports.breach_list, name="breach_list"),
    path("metrics/", reports.service_metrics, name="service_metrics"),
    path("screen-pop/", screen_pop.screen_pop, name="screen_pop"),
    path("screen-pop/guest/", screen_pop.screen_pop_guest_create, name="screen_pop_guest_create"),
    path("kb/", kb.kb_list, name="kb_list"),
    path("kb/new/", kb.kb_create, name="kb_create"),
    path("kb/<int:pk>/", kb.kb_detail, name="kb_detail"),
    path("kb/<int:pk>/edit/", kb.kb_edit, name="kb_edit"),
    path("kb/<int:pk>/status/", kb.kb_status, name="kb_status"),
    path("lost-found/", lost.lost_list, name="lost_list"),
    path("lost-found/new/", lost.lost_create, name="lost_create"),
    path("lost-found/<int:pk>/", lost.lost_detail, name="lost_detail"),
    path("lost-found/<int:pk>/<str:action>/", lost.lost_action, name="lost_action"),
]
