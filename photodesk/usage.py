"""Words from use: keep each image's UsageWords rows in step with the articles that use it.

An article that uses an image (its lead image, or inserted in its body: the host's
article_images) lends it the article's title and a short extractive summary. They are weak
words (USAGE_WORDS_WEIGHT in the image's vector, the low-weighted "usage" field of the
index): an article is about its story, a photo in it only shows part of that. Each function
returns the ids of the images whose words changed, for the caller to re-index.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from photodesk.host import get_image_model, host
from photodesk.models import UsageWords
from photodesk.search.text.sample import sample_text
from photodesk.search.text.summary import summary_sentences

# The summary an image is given: a couple of sentences, at most this many characters (the
# title already says most of it; more of the body would outweigh what the photo shows).
SUMMARY_SENTENCES = 2
SUMMARY_CHARS = 400
# The body read for the summary: the bounded sample every article's text work reads.
BODY_SAMPLE_CHARS = 3_000
TITLE_CHARS = UsageWords._meta.get_field("title").max_length


def article_words(article: Any) -> tuple[str, str]:
    """(title, short summary) an article lends the images it uses."""
    title, body = host().article_text(article)
    title = " ".join(title.split())[:TITLE_CHARS]
    body = body.strip()
    summary = ""
    if body:
        sentences = summary_sentences(sample_text(body, BODY_SAMPLE_CHARS), SUMMARY_SENTENCES)
        summary = " ".join(" ".join(sentences).split())[:SUMMARY_CHARS]
    return title, summary


def sync_article(article: Any) -> set[int]:
    """Make the article's rows match the images it uses now: new rows for images it took in,
    new words where its title or summary changed, rows gone for images it no longer uses.
    Rows an editor removed stay removed (tombstones are never revived)."""
    kind = ContentType.objects.get_for_model(article, for_concrete_model=False)
    article_id = str(article.pk)
    used = set(host().article_images(article))
    if used:  # an id in the body that names no image lends nothing
        used = set(get_image_model().objects.filter(pk__in=used).values_list("pk", flat=True))
    title, summary = article_words(article) if used else ("", "")
    changed: set[int] = set()
    with transaction.atomic():
        rows = {
            row.image_id: row
            for row in UsageWords.objects.select_for_update().filter(
                article_type=kind, article_id=article_id
            )
        }
        gone = [row for image_id, row in rows.items() if image_id not in used]
        if gone:
            UsageWords.objects.filter(pk__in=[row.pk for row in gone]).delete()
            changed |= {row.image_id for row in gone if row.removed_at is None}
        for image_id in used:
            row = rows.get(image_id)
            if row is None:
                UsageWords.objects.create(
                    image_id=image_id,
                    article_type=kind,
                    article_id=article_id,
                    title=title,
                    summary=summary,
                )
                changed.add(image_id)
            elif (row.title, row.summary) != (title, summary):
                row.title, row.summary = title, summary
                row.save(update_fields=["title", "summary", "updated"])
                if row.removed_at is None:
                    changed.add(image_id)
    return changed


def forget_article(content_type_id: int, article_id: Any) -> set[int]:
    """The article is gone: its words leave every image it used (tombstones too)."""
    rows = UsageWords.objects.filter(article_type_id=content_type_id, article_id=str(article_id))
    changed = set(rows.active().values_list("image_id", flat=True))
    rows.delete()
    return changed


def remove_words(row: UsageWords, user: Any) -> bool:
    """An editor takes an article's words off an image; the row stays as a tombstone so the
    next save of the article leaves them off. False if they were already removed."""
    updated = UsageWords.objects.filter(pk=row.pk, removed_at=None).update(
        removed_at=timezone.now(), removed_by=user if getattr(user, "pk", None) else None
    )
    return bool(updated)
