"""Customer-value pages under /value/ (namespace "analytics")."""
from django.urls import path

from concierge.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.value_overview, name="value_overview"),
    path("pareto.csv", views.pareto_csv, name="value_pareto_csv"),
    path("ranking/", views.value_ranking, name="value_ranking"),
    path("ranking.csv", views.ranking_csv, name="value_ranking_csv"),
    path("rfm/", views.value_rfm, name="value_rfm"),
    path("rfm/cell/", views.value_rfm_cell, name="value_rfm_cell"),
    path("rfm.csv", views.rfm_csv, name="value_rfm_csv"),
    path("breakdowns/", views.breakdowns, name="breakdowns"),
    path("breakdowns.csv", views.breakdowns_csv, name="breakdowns_csv"),
    path("refresh/", views.value_refresh, name="value_refresh"),
    path("cost-ratios/", views.cost_ratios, name="cost_ratios"),
]
