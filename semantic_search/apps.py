from django.apps import AppConfig


class SemanticSearchConfig(AppConfig):
    name = "semantic_search"
    verbose_name = "Photodesk semantic search"

    def ready(self) -> None:
        from . import (
            conf,  # noqa: F401  (registers system checks)
            signals,
        )
        from .aws import checks  # noqa: F401  (the AWS providers' system checks)

        signals.connect()
