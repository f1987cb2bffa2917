"""Words from use: an article that uses an image (its lead image, or inserted in its body)
lends the image its title and a short summary, as weak words about it.

One row per image and article. An editor may remove one: the row stays as a tombstone
(removed_at), so saving the article again does not bring the words back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from photodesk.conf import image_model_label


class UsageWordsQuerySet(models.QuerySet):
    def active(self) -> UsageWordsQuerySet:
        """The rows whose words count (not removed by an editor)."""
        return self.filter(removed_at=None)

    def of_article(self, article: models.Model) -> UsageWordsQuerySet:
        kind = ContentType.objects.get_for_model(article, for_concrete_model=False)
        return self.filter(article_type=kind, article_id=str(article.pk))


class UsageWords(models.Model):
    image = models.ForeignKey(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_usage_words"
    )
    article_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    # A string, so any primary key fits (Wagtail pages, UUIDs).
    article_id = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UsageWordsQuerySet.as_manager()

    class Meta:
        verbose_name = "words from use"
        verbose_name_plural = "words from use"
        ordering = ["-updated", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "article_type", "article_id"], name="unique_usage_words"
            )
        ]
        indexes = [models.Index(fields=["article_type", "article_id"])]

    def __str__(self) -> str:
        return f"used in “{self.title}”"

    @property
    def source(self) -> str:
        return f"used in “{self.title}”"

    @property
    def text(self) -> str:
        """What the image is given: the title, then the summary."""
        return ". ".join(p for p in (self.title.strip(), self.summary.strip()) if p)
