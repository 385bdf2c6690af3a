"""Web UI routes. Each area keeps its own url module; this file only stitches them together."""
from concierge.web.urls_companies import urlpatterns as company_urls
from concierge.web.urls_dedupe import urlpatterns as dedupe_urls
from concierge.web.urls_imports import urlpatterns as import_urls
from concierge.web.urls_main import urlpatterns as main_urls

app_name = "web"
urlpatterns = main_urls + company_urls + dedupe_urls + import_urls
