"""Staff pages of messaging under /messaging/ (namespace "messaging")."""
from django.urls import path

from concierge.messaging import views

app_name = "messaging"
urlpatterns = [
    path("templates/", views.template_list, name="msg_template_list"),
    path("templates/new/", views.template_edit, name="msg_template_create"),
    path("templates/<int:pk>/", views.template_edit, name="msg_template_edit"),
    path("templates/preview/", views.template_preview, name="msg_template_preview"),
    path("outbox/", views.outbox, name="msg_outbox"),
    path("outbox/<int:pk>/", views.message_detail, name="msg_message_detail"),
    path("rules/", views.rule_list, name="msg_rule_list"),
    path("rules/<int:property_id>/", views.rule_edit, name="msg_rule_edit"),
]
