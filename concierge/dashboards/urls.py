"""Dashboard pages under /dashboards/ (namespace "dashboards")."""
from django.urls import path

from concierge.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("overview/<str:chart>.csv", views.overview_csv, name="overview_csv"),
    path("refresh/", views.refresh, name="refresh"),
    path("flow/", views.flow, name="flow"),
    path("flow.csv", views.flow_csv, name="flow_csv"),
    path("flow/guests/", views.flow_guests, name="flow_guests"),
    path("flow/settings/", views.flow_settings, name="flow_settings"),
]
