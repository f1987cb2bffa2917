from django.contrib import admin
from django.utils.html import format_html

from cms_images.models import Article, Image, Video
from photodesk.admin import (
    IMAGE_LIST_FILTERS,
    AnalysisPanelMixin,
    FacesPanelMixin,
    ImageLabelInline,
    LabelInlineMixin,
    SuggestPanelMixin,
    VideoTimelineMixin,
)
from photodesk.host import host


@admin.register(Image)
class ImageAdmin(LabelInlineMixin, AnalysisPanelMixin, FacesPanelMixin, admin.ModelAdmin):
    list_display = ("thumbnail", "__str__", "credit", "rights", "analysis_status", "created")
    list_display_links = ("thumbnail", "__str__")
    # Photodesk's insights filters show only while a chart's link uses them.
    list_filter = (
        "rights",
        "analysis__status",
        "analysis__flagged",
        "created",
        *IMAGE_LIST_FILTERS,
    )
    inlines = [ImageLabelInline]
    search_fields = (
        "title",
        "caption",
        "credit",
        "original_filename",
        "analysis__description",
        "analysis__ocr_text",
    )
    date_hierarchy = "created"
    list_select_related = ("analysis",)
    readonly_fields = (
        "preview",
        "width",
        "height",
        "content_hash",
        "uploaded_by",
        "created",
        "photodesk_analysis",
        "photodesk_faces",
    )
    fieldsets = (
        (None, {"fields": ("file", "preview", "title", "caption")}),
        ("Analysis", {"fields": ("photodesk_analysis",)}),
        ("Faces and people", {"fields": ("photodesk_faces",)}),
        ("Rights", {"fields": ("credit", "copyright", "rights")}),
        (
            "File",
            {
                "classes": ("collapse",),
                "fields": (
                    "original_filename",
                    "width",
                    "height",
                    "content_hash",
                    "uploaded_by",
                    "created",
                ),
            },
        ),
    )

    @admin.display(description="")
    def thumbnail(self, obj: Image) -> str:
        if not obj.file:
            return ""
        return format_html(
            '<img src="{}" alt="" style="height:48px;max-width:80px;'
            'object-fit:cover" loading="lazy">',
            obj.file.url,
        )

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        if not obj.file:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:320px;max-width:100%">',
            obj.file.url,
            obj.title,
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change and not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(SuggestPanelMixin, admin.ModelAdmin):
    """The article editor, with Photodesk's "Suggested images" panel beside the body (its
    fields are PHOTODESK["ARTICLE_FIELDS"]' defaults: title, body, lead_image)."""

    list_display = ("title", "status", "author", "lead_thumbnail", "updated")
    list_select_related = ("lead_image", "author")
    list_filter = ("status", "updated")
    search_fields = ("title", "body")
    raw_id_fields = ("lead_image",)
    readonly_fields = ("created", "updated")

    @admin.display(description="Lead image")
    def lead_thumbnail(self, obj: Article) -> str:
        if not obj.lead_image or not obj.lead_image.file:
            return "—"
        # The small rendition, not the original (a page of articles would load every photo).
        return format_html(
            '<img src="{}" alt="" style="height:40px" loading="lazy">',
            host().thumbnail_url(obj.lead_image),
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change and not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Video)
class VideoAdmin(VideoTimelineMixin, admin.ModelAdmin):
    list_display = ("__str__", "credit", "rights", "video_analysis_status", "created")
    search_fields = ("title", "caption", "credit", "original_filename")
    readonly_fields = ("original_filename", "created", "photodesk_timeline")
    fieldsets = (
        (None, {"fields": ("file", "title", "caption")}),
        ("Timeline", {"fields": ("photodesk_timeline",)}),
        ("Rights", {"fields": ("credit", "rights")}),
        ("File", {"classes": ("collapse",), "fields": ("original_filename", "created")}),
    )
