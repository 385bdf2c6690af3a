from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concierge.core"
    label = "core"
