from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "concierge.web"
    label = "web"
