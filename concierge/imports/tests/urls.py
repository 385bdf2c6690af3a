"""The project's URLs plus the import/export pages and API, for tests until concierge/web/urls.py and
concierge/api/urls.py include them (the lines to add are in docs/import.md)."""
from django.contrib import admin
from django.urls import include, path

from concierge.api.urls import urlpatterns as api_urls
from concierge.web.urls import urlpatterns as web_urls
from concierge.web.urls_imports import urlpatterns as import_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_urls + [path("imports/", include("concierge.api.imports"))], "api"))),
    path("", include((web_urls + import_urls, "web"))),
]
