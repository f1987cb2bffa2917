from django.apps import AppConfig


class PhotodeskConfig(AppConfig):
    name = "photodesk"
    # The import name was `semantic_search` up to 0.1; the app label stays, so a database made
    # then keeps its tables, migrations, content types and permissions (README, "Upgrading").
    label = "semantic_search"
    verbose_name = "Photodesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from photodesk import checks, signal_handlers  # noqa: F401  (registers the checks)

        signal_handlers.connect()
        from django_q.signals import pre_execute

        from photodesk.instruments import task_started

        # In the worker: log lines of a task carry its id (instruments.log_fields).
        pre_execute.connect(task_started, dispatch_uid="photodesk-task-context")
