"""Loyalty pages under /loyalty/ (namespace "loyalty")."""
from django.urls import path

from concierge.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("", views.member_list, name="member_list"),
    path("programme/", views.programme_settings, name="programme_settings"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/redeem/", views.member_redeem, name="member_redeem"),
    path("members/<int:pk>/adjust/", views.member_adjust, name="member_adjust"),
]
