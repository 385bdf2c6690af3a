from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "concierge.properties"
    label = "properties"
