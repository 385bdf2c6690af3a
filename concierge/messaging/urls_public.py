"""Public pages under /m/ (namespace "messaging_public"): the one-click unsubscribe link, no login."""
from django.urls import path

from concierge.messaging import views_public

app_name = "messaging_public"
urlpatterns = [
    path("u/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
]
