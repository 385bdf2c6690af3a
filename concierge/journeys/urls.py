"""Pages of the Journeys module (namespace "journeys")."""
from django.urls import path

from concierge.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.journey_list, name="journey_list"),
    path("new/", views.journey_create, name="journey_create"),
    path("trigger-params/", views.trigger_params, name="trigger_params"),
    path("<int:pk>/", views.journey_detail, name="journey_detail"),
    path("<int:pk>/edit/", views.journey_edit, name="journey_edit"),
    path("<int:pk>/toggle/", views.journey_toggle, name="journey_toggle"),
    path("<int:pk>/run-now/", views.journey_run_now, name="journey_run_now"),
    path("<int:pk>/runs/", views.journey_runs, name="journey_runs"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/steps/<int:step_pk>/remove/", views.step_remove, name="step_remove"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.step_move, name="step_move"),
    path("<int:pk>/steps/<int:step_pk>/preview/", views.step_preview, name="step_preview"),
]
