"""REST API of the Tour products module, included from concierge/api/urls.py (url names in the "api" namespace)."""
from django.urls import path  # noqa: F401

urlpatterns: list = []
