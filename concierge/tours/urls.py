"""Pages of the Tour products module (namespace "tours")."""
from django.urls import path  # noqa: F401

app_name = "tours"
urlpatterns: list = []
