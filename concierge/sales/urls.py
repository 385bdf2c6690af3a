"""Pages of the Sales module under /sales/ (namespace "sales")."""
from django.urls import path

from concierge.sales import views

app_name = "sales"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("accounts/", views.my_accounts, name="my_accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/plan/", views.account_plan_save, name="account_plan_save"),
    path("accounts/<int:pk>/team/", views.account_team_add, name="account_team_add"),
    path("accounts/<int:pk>/team/<int:member_id>/remove/", views.account_team_remove, name="account_team_remove"),
    path("accounts/<int:pk>/owner/", views.account_owner_change, name="account_owner_change"),
    path("contacts/<int:pk>/log/", views.contact_log, name="contact_log"),
    path("handover/", views.handover, name="handover"),
    path("handover/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:role>/", views.help_index, name="help_role"),
]
