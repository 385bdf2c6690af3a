"""Public, login-free campaign URLs (open pixel, click redirect) under /t/ (namespace "campaigns_public")."""
from django.urls import path  # noqa: F401

app_name = "campaigns_public"
urlpatterns: list = []
