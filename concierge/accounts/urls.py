"""Account pages under /account/ (namespace "accounts")."""
from django.urls import path

from concierge.accounts import views, views_staff

app_name = "accounts"
urlpatterns = [
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("staff/", views_staff.staff_list, name="staff_list"),
    path("staff/<int:pk>/deactivate/", views_staff.staff_deactivate, name="staff_deactivate"),
    path("staff/deactivations/<int:pk>/", views_staff.staff_job, name="staff_job"),
]
