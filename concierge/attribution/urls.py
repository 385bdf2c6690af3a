"""Pages of the Attribution module (namespace "attribution")."""
from django.urls import path  # noqa: F401

app_name = "attribution"
urlpatterns: list = []
