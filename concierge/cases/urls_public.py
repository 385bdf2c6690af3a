"""The public FAQ (no login), mounted at /faq/ in the "faq" namespace (see concierge/urls.py)."""
from django.urls import path

from concierge.cases.views import public

app_name = "faq"
urlpatterns = [
    path("<str:code>/", public.faq, name="faq"),
    path("<str:code>/<int:pk>/feedback/", public.faq_feedback, name="faq_feedback"),
]
