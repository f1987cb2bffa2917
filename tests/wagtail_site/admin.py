from django.contrib import admin

from photodesk.admin import VideoTimelineMixin
from tests.wagtail_site.models import Video


@admin.register(Video)
class VideoAdmin(VideoTimelineMixin, admin.ModelAdmin):
    list_display = ("__str__", "created")
