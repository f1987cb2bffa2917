from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "image"]


class ArticlePage(Page):
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = RichTextField(blank=True, features=FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("lead_image"), FieldPanel("body")]


class StreamArticlePage(Page):
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(
        [
            ("heading", blocks.CharBlock()),
            ("paragraph", blocks.RichTextBlock(features=FEATURES)),
            ("image", ImageChooserBlock()),
        ],
        blank=True,
    )

    content_panels = [*Page.content_panels, FieldPanel("lead_image"), FieldPanel("body")]


class Video(models.Model):
    """The site's videos (Photodesk's VIDEO_MODEL here): a plain Django model beside Wagtail's
    images, as a newsroom without a Wagtail video app would keep them."""

    file = models.FileField(upload_to="videos/", max_length=255)
    title = models.CharField(max_length=255, blank=True)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    original_filename = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.title or f"Video {self.pk}"
