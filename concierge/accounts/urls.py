"""Account pages under /account/ (namespace "accounts")."""
from django.urls import path

from concierge.accounts import views

app_name = "accounts"
urlpatterns = [
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
]
