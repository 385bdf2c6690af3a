"""Pages of the Attribution module (namespace "attribution")."""
from django.urls import path

from concierge.attribution import views

app_name = "attribution"
urlpatterns = [
    path("", views.roi_list, name="roi_list"),
    path("refresh/", views.refresh_now, name="refresh"),
    path("settings/", views.settings_edit, name="settings"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/leads/", views.lead_upload, name="lead_upload"),
    path("lead-imports/<int:pk>/", views.lead_import_detail, name="lead_import_detail"),
    path("lead-imports/<int:pk>/status/", views.lead_import_status, name="lead_import_status"),
    path("lead-imports/<int:pk>/start/", views.lead_import_start, name="lead_import_start"),
]
