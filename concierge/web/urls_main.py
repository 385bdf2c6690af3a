"""Web UI routes for the front office: sign-in, home, check-in search and guest profiles."""
from django.urls import path

from concierge.web import views, views_guests, views_search

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("search/", views_search.search, name="search"),
    path("guests/", views_guests.guest_list, name="guest_list"),
    path("guests/new/", views_guests.guest_create, name="guest_create"),
    path("guests/<int:pk>/", views_guests.guest_detail, name="guest_detail"),
    path("guests/<int:pk>/edit/", views_guests.guest_edit, name="guest_edit"),
    path("guests/<int:pk>/interactions/", views_guests.interaction_add, name="interaction_add"),
    path("guests/<int:pk>/preferences/", views_guests.preference_add, name="preference_add"),
    path("guests/<int:pk>/alerts/", views_guests.alert_add, name="alert_add"),
    path("preferences/<int:pk>/remove/", views_guests.preference_remove, name="preference_remove"),
    path("alerts/<int:pk>/remove/", views_guests.alert_remove, name="alert_remove"),
    path("documents/<int:pk>/reveal/", views_guests.document_reveal, name="document_reveal"),
]
