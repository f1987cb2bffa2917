from django.apps import AppConfig


class SemanticSearchConfig(AppConfig):
    name = "semantic_search"
    verbose_name = "Photodesk semantic search"

    def ready(self) -> None:
        from semantic_search import checks, signal_handlers  # noqa: F401  (registers the checks)

        signal_handlers.connect()
