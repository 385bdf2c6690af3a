"""Pages of the Contracts module (namespace "contracts")."""
from django.urls import path

from concierge.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_edit, name="contract_create"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/renew/", views.contract_renew, name="contract_renew"),
    path("<int:pk>/document/<str:lang>/", views.contract_document, name="contract_document"),
    path("<int:pk>/<str:action>/", views.contract_transition, name="contract_transition"),
]
