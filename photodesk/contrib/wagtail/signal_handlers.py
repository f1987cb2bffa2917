"""When labels change (an analysis finished, people decided tags), the Wagtail image's tags
follow once the transaction commits (tags.py). Nothing else."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save

from photodesk.contrib.wagtail import tags
from photodesk.models import ImageAnalysis
from photodesk.signals import tags_decided


def analysis_saved(sender, instance: ImageAnalysis, raw: bool = False, **kwargs) -> None:
    # The pipeline stores the labels in the transaction that marks the analysis done.
    if raw or instance.status != ImageAnalysis.Status.DONE or not tags.mirroring():
        return
    transaction.on_commit(partial(tags.mirror_tags, [instance.image_id]))


def labels_decided(sender, image_ids: list, **kwargs) -> None:
    if tags.mirroring():
        transaction.on_commit(partial(tags.mirror_tags, list(image_ids)))


def connect() -> None:
    post_save.connect(analysis_saved, sender=ImageAnalysis, dispatch_uid="photodesk-wagtail-tags")
    tags_decided.connect(labels_decided, dispatch_uid="photodesk-wagtail-tags-decided")
