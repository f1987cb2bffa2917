"""The index's outbox: removals owed to the search index, written in the transaction that
deletes the image, so a delete never waits for the index and no document outlives its image.

A row is deleted once the index has dropped the document (indexing.drain_removals: a task
queued after the commit, the bulk catch-up after an outage, `manage.py reconcile`)."""

from __future__ import annotations

from django.db import models


class IndexRemoval(models.Model):
    # The deleted image's primary key as text: the site's image model may use any key type.
    image_key = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "index removal (outbox)"
        verbose_name_plural = "index removals (outbox)"

    def __str__(self) -> str:
        return f"Remove image {self.image_key} from the index"
