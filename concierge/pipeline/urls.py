"""Pages of the Pipeline module (namespace "pipeline")."""
from django.urls import path  # noqa: F401

app_name = "pipeline"
urlpatterns: list = []
