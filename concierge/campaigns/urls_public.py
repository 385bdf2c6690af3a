"""Public, login-free campaign URLs (open pixel, click redirect) under /t/ (namespace "campaigns_public")."""
from django.urls import path

from concierge.campaigns import views_public

app_name = "campaigns_public"
urlpatterns = [
    path("o/<str:token>.gif", views_public.open_pixel, name="open"),
    path("c/<str:token>/", views_public.click, name="click"),
]
