"""Pages of the Journeys module (namespace "journeys")."""
from django.urls import path  # noqa: F401

app_name = "journeys"
urlpatterns: list = []
