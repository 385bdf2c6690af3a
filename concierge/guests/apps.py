from django.apps import AppConfig


class GuestsConfig(AppConfig):
    name = "concierge.guests"
    label = "guests"
