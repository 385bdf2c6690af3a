from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "concierge.api"
    label = "api"

    def ready(self) -> None:
        # drf-spectacular finds extensions by import: register the named-enum extension.
        from concierge.api import schema  # noqa: F401
