from django.apps import AppConfig


class PhotodeskWagtailConfig(AppConfig):
    name = "photodesk.contrib.wagtail"
    label = "photodesk_wagtail"
    verbose_name = "Photodesk for Wagtail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from photodesk.contrib.wagtail import checks, panels, signal_handlers  # noqa: F401

        signal_handlers.connect()
        panels.add_to_configured_pages()
