"""Pages of the Pipeline module (namespace "pipeline")."""
from django.urls import path

from concierge.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.kanban, name="kanban"),
    path("list/", views.opportunity_list, name="opportunity_list"),
    path("new/", views.opportunity_create, name="opportunity_create"),
    path("<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("forecast/", views.forecast, name="forecast"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("targets/", views.targets, name="targets"),
    path("stages/", views.stages, name="stages"),
]
