"""Survey pages under /surveys/ (namespace "surveys"). `r/<token>/` is the guest's public answer page."""
from django.urls import path

from concierge.surveys import views, views_public

app_name = "surveys"
urlpatterns = [
    path("r/<str:token>/", views_public.answer, name="answer"),
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("changes/", views.marker_list, name="marker_list"),
    path("changes/<int:pk>/remove/", views.marker_remove, name="marker_remove"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/status/", views.survey_status, name="survey_status"),
    path("<int:pk>/preview/", views.survey_preview, name="survey_preview"),
    path("<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("questions/<int:pk>/move/<str:direction>/", views.question_move, name="question_move"),
    path("<int:pk>/triggers/", views.trigger_save, name="trigger_save"),
    path("triggers/<int:pk>/remove/", views.trigger_remove, name="trigger_remove"),
    path("<int:pk>/send/", views.survey_send, name="survey_send"),
    path("<int:pk>/send/audience/", views.audience_preview, name="audience_preview"),
    path("<int:pk>/send/lookup/", views.guest_lookup, name="guest_lookup"),
    path("<int:pk>/send/guest/", views.send_to_guest, name="send_to_guest"),
    path("<int:pk>/invitations/", views.invitation_list, name="invitation_list"),
    path("<int:pk>/invitations/retry/", views.invitations_retry, name="invitations_retry"),
    path("<int:pk>/results/", views.survey_results, name="survey_results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/responses/", views.response_list, name="response_list"),
    path("<int:pk>/responses.csv", views.responses_csv, name="responses_csv"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("answers/<int:pk>/preference/", views.answer_preference, name="answer_preference"),
]
