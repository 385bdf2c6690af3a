"""Personal-data requests under /privacy/ (namespace "privacy")."""
from django.urls import path

from concierge.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.erasure_log, name="erasure_log"),
    path("guests/<int:pk>/export/", views.guest_export, name="guest_export"),
    path("guests/<int:pk>/erase/", views.guest_erase, name="guest_erase"),
]
