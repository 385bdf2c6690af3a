"""Import and export pages (url names are part of the sidebar contract: import_list)."""
from django.urls import path, re_path

from concierge.web import views_imports as imports

urlpatterns = [
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/start/", imports.import_start, name="import_start"),
    path("imports/<int:pk>/progress/", imports.import_progress_view, name="import_progress"),
    re_path(r"^exports/(?P<kind>guests|companies|contacts|stays)\.(?P<fmt>csv|xlsx)$", imports.export_list,
            name="export_list"),
    path("companies/<int:pk>/contacts.vcf", imports.company_vcard, name="company_vcard"),
]
