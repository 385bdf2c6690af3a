"""Company, contact and stay pages (names are part of the sidebar contract: company_list, contact_list, stay_list)."""
from django.urls import path

from concierge.web import views_companies as companies
from concierge.web import views_stays as stays

urlpatterns = [
    path("companies/", companies.company_list, name="company_list"),
    path("companies/new/", companies.company_create, name="company_create"),
    path("companies/<int:pk>/", companies.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", companies.company_edit, name="company_edit"),
    path("companies/<int:pk>/log/", companies.company_log, name="company_log"),
    path("companies/<int:pk>/contacts/add/", companies.company_contact_add, name="company_contact_add"),
    path("contacts/", companies.contact_list, name="contact_list"),
    path("contacts/<int:pk>/", companies.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", companies.contact_edit, name="contact_edit"),
    path("stays/", stays.stay_list, name="stay_list"),
    path("stays/new/", stays.stay_create, name="stay_create"),
    path("stays/<int:pk>/", stays.stay_detail, name="stay_detail"),
    path("stays/<int:pk>/edit/", stays.stay_edit, name="stay_edit"),
    path("stays/<int:pk>/status/", stays.stay_status, name="stay_status"),
]
