from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "concierge.dedupe"
    label = "dedupe"
