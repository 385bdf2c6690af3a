from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "concierge.stays"
    label = "stays"
