from django.apps import AppConfig


class CmsImagesConfig(AppConfig):
    name = "cms_images"
    verbose_name = "Images and articles"

    def ready(self) -> None:
        # Let Pillow (and so ImageField validation) open HEIC/HEIF files.
        from pillow_heif import register_heif_opener

        register_heif_opener()
