from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concierge.core"
    label = "core"

    def ready(self) -> None:
        # Register every app's Celery tasks in every process (web, shell, tests), not only in workers: a task called
        # through its shared_task proxy is looked up in the app's registry at call time, and a module imported
        # before the registry was finalized could otherwise be missing from it (NotRegistered).
        from concierge.celery import app

        app.autodiscover_tasks(force=True)
