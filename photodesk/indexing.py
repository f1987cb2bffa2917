"""The search index's side of an image: documents built from database rows only (so
`reindex` never runs a model), written and removed. Writes raise when the index is down
(at once while it is known down: search/index/breaker.py); tasks.py retries them.

An analysis whose index entry is behind the database is marked `index_pending` (in the
transaction that stores its facts); the mark is cleared only after a write succeeded, so a
redelivered task, a retry, `catch_up` or `manage.py reconcile` finishes the job. A deleted
image leaves an IndexRemoval row (the outbox, committed with the delete) until the index has
dropped its document: `drain_removals`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any

from django.db import models

from photodesk.conf import photodesk_settings
from photodesk.host import get_image_model, get_video_model, host, written_text
from photodesk.instruments import INDEX_WRITE_FAILURES
from photodesk.models import ImageAnalysis, ImageLabel, IndexRemoval, UsageWords, VideoAnalysis
from photodesk.people.queries import people_names, people_shown, people_shown_by_image
from photodesk.search.index import SearchIndex, get_index
from photodesk.search.index.base import (
    SHOTS_PER_VIDEO,
    IndexDocument,
    orientation_of,
    video_doc_id,
)
from photodesk.search.index.breaker import Breaker, breaker, shared_mark


def visible_labels(image: Any) -> list[tuple[str, float]]:
    """(name, confidence 0-1) of the tags search may use: auto-accepted and accepted only."""
    return visible_labels_by_image([image.pk])[image.pk]


def visible_labels_by_image(image_ids: list[Any]) -> defaultdict[Any, list[tuple[str, float]]]:
    """{image id: its visible tags, most confident first}, for many images in one query."""
    labels: defaultdict[Any, list[tuple[str, float]]] = defaultdict(list)
    rows = ImageLabel.objects.visible().filter(image_id__in=image_ids).select_related("label")
    for row in rows.order_by("-confidence", "pk"):
        labels[row.image_id].append((row.label.name, row.confidence / 100))
    return labels


def usage_text_by_image(image_ids: list[Any]) -> defaultdict[Any, str]:
    """{image id: the words of the articles that use it}, for many images in one query."""
    texts: defaultdict[Any, list[str]] = defaultdict(list)
    for row in UsageWords.objects.active().filter(image_id__in=image_ids):
        texts[row.image_id].append(row.text)
    return defaultdict(str, {pk: " ".join(parts) for pk, parts in texts.items()})


def build_document(
    image: Any,
    analysis: Any,
    *,
    labels: list[tuple[str, float]] | None = None,
    people: list[Any] | None = None,
    usage: str | None = None,
) -> IndexDocument:
    """One image's document; `labels`, `people` and `usage` are read from the database unless
    given (build_documents fetches them for many images at once)."""
    meta = analysis.photo_metadata or {}
    width, height = getattr(image, "width", None), getattr(image, "height", None)
    people = people_shown(image) if people is None else people
    labels = visible_labels(image) if labels is None else labels
    usage = usage_text_by_image([image.pk])[image.pk] if usage is None else usage
    return IndexDocument(
        id=image.pk,
        vector=analysis.vector,
        fields={
            "labels": labels,
            "caption": written_text(image, analysis),
            "ocr_text": analysis.ocr_text,
            "metadata": " ".join(
                str(meta.get(k, "")) for k in ("byline", "city", "province_state", "country")
            ),
            # Names and aliases of the people it shows (decided faces only), so a keyword
            # search or an article naming someone finds their photos.
            "people": " ".join(people_names(people)),
            # Words from the articles that use it (weak: see FIELD_WEIGHTS).
            "usage": usage,
        },
        attributes={
            "created": added.isoformat() if (added := host().image_added(image)) else None,
            "width": width,
            "height": height,
            "orientation": orientation_of(width, height),
            "rights": host().image_rights(image),
            "flagged": bool(analysis.flagged),
            # Who it shows (OpenSearch keyword field people_ids), for filters by person.
            "people_ids": [str(person.pk) for person in people],
            # Tag names, for filters by label.
            "labels": sorted({name.casefold() for name, _ in labels}),
        },
    )


def build_documents(analyses: Iterable[Any], batch: int = 500) -> Iterator[IndexDocument]:
    """Documents for many analyses (with `.image` loaded): tags and people are fetched with
    three queries per batch instead of three per image (reindex and reconcile at archive size)."""
    analyses = iter(analyses)
    while chunk := list(islice(analyses, batch)):
        ids = [a.image_id for a in chunk]
        labels = visible_labels_by_image(ids)
        people = people_shown_by_image(ids)
        usage = usage_text_by_image(ids)
        for analysis in chunk:
            yield build_document(
                analysis.image,
                analysis,
                labels=labels[analysis.image_id],
                people=people[analysis.image_id],
                usage=usage[analysis.image_id],
            )


def write_breaker(index: SearchIndex) -> Breaker:
    """This process's breaker on writes to `index` (INDEX_DOWN_AFTER_FAILURES in a row, then
    INDEX_DOWN_SECONDS of failing fast)."""
    conf = photodesk_settings
    return breaker(
        index,
        conf.INDEX_DOWN_AFTER_FAILURES,
        conf.INDEX_DOWN_SECONDS,
        shared=shared_mark(index_key(index), conf.cache_dir),
    )


def index_key(index: SearchIndex) -> str:
    """What names an index for the processes sharing its down mark: the node's URL (every
    alias on a dead node is down) or the embedded index's folder."""
    options = getattr(index, "options", None)
    connection = getattr(options, "connection", None)
    where = getattr(connection, "url", None) or getattr(options, "path", None) or id(index)
    return f"{type(index).__name__}:{where}"


def _write(index: SearchIndex, operation: str, write: Any) -> None:
    """One write through the breaker; a failure is counted (INDEX_WRITE_FAILURES) and raised."""
    try:
        write_breaker(index).call(write)
    except Exception:
        INDEX_WRITE_FAILURES.labels(operation).inc()
        raise


def index_image(image: Any, analysis: Any) -> None:
    """Write one image's document (raises if the index cannot take it, at once while it is
    known down)."""
    document, index = build_document(image, analysis), get_index()
    _write(index, "upsert", partial(index.upsert, [document]))


def remove_image(pk: Any) -> None:
    """Remove one image from the index (raises if the index cannot be reached)."""
    index = get_index()
    _write(index, "delete", partial(index.delete, [pk]))


def mark_pending(pks: Any, *, indexed_only: bool = False) -> None:
    """The index entry of image `pks` (an id or several) is behind the database (a write
    failed or is coming). `indexed_only`: only analysed images (a change that does not
    concern the others, which have no entry to update)."""
    ids = list(pks) if isinstance(pks, (list, set, tuple)) else [pks]
    rows = ImageAnalysis.objects.indexable() if indexed_only else ImageAnalysis.objects
    rows.filter(image_id__in=ids).update(index_pending=True)


def mark_indexed(analysis: Any) -> bool:
    """The document of `analysis` was written: clear its mark, unless the row changed since
    it was read (then the newer state still owes a write, and the mark stays)."""
    rows = ImageAnalysis.objects.filter(pk=analysis.pk, updated=analysis.updated)
    return bool(rows.update(index_pending=False))


def mark_removed(pk: Any) -> None:
    """Image `pk` was removed from the index: an analysis that is not indexable owes nothing."""
    ImageAnalysis.objects.filter(image_id=pk).exclude(
        pk__in=ImageAnalysis.objects.indexable().values("pk")
    ).update(index_pending=False)


def owe_removal(pk: Any) -> None:
    """Image `pk` is being deleted: the index owes a removal (call inside the delete's
    transaction, so the debt is committed or rolled back with it)."""
    IndexRemoval.objects.create(image_key=str(pk))


def drain_removals(batch: int = 500) -> int:
    """Remove the documents of deleted images (the outbox) in bulk, and their rows once
    the index has dropped them. Returns how many; raises if the index is down (the rows stay,
    their attempts counted)."""
    to_python = get_image_model()._meta.pk.to_python
    done, last = 0, 0
    while rows := list(IndexRemoval.objects.filter(pk__gt=last).order_by("pk")[:batch]):
        last = rows[-1].pk
        keys = {row.image_key for row in rows}
        # A key used again by a new image (some databases reuse them): its entry is its own.
        back = {
            str(pk)
            for pk in get_image_model().objects.filter(pk__in=keys).values_list("pk", flat=True)
        }
        gone = [to_python(key) for key in sorted(keys - back)]
        index = get_index()
        try:
            if gone:
                write_breaker(index).call(partial(index.delete, gone))
        except Exception as exc:
            IndexRemoval.objects.filter(pk__in=[r.pk for r in rows]).update(
                attempts=models.F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            raise
        IndexRemoval.objects.filter(pk__in=[r.pk for r in rows]).delete()
        done += len(rows)
    return done


def catch_up(batch: int = 500) -> int:
    """Write every index-pending image in bulk (after an outage): analysed ones are indexed,
    the others removed, and the outbox of deleted images drained. Returns how many were
    written; raises if the index is still down."""
    done = drain_removals(batch)
    while True:
        pending = list(
            ImageAnalysis.objects.index_pending()
            .select_related("image")
            .order_by("image_id")[:batch]
        )
        if not pending:
            return done
        indexable = set(
            ImageAnalysis.objects.indexable()
            .filter(pk__in=[a.pk for a in pending])
            .values_list("pk", flat=True)
        )
        to_index = [a for a in pending if a.pk in indexable]
        to_remove = [a.image_id for a in pending if a.pk not in indexable]
        index = get_index()
        if to_index:
            documents = list(build_documents(to_index, batch=batch))
            _write(index, "bulk_upsert", partial(index.upsert, documents))
        if to_remove:
            _write(index, "bulk_delete", partial(index.delete, to_remove))
        cleared = sum(mark_indexed(a) for a in pending)
        done += len(pending)
        if not cleared:  # every row changed while we wrote: leave them to their own tasks
            return done


# --- videos: one document per shot (ids from video_doc_id, attribute media="video") ---


def build_video_documents(video: Any, analysis: Any) -> list[IndexDocument]:
    """The documents of one analysed video's shots, from the database rows only."""
    site = host()
    # The id scheme gives a video SHOTS_PER_VIDEO documents: a longer list keeps its first.
    shots = list(analysis.shots.all()[:SHOTS_PER_VIDEO])
    spans = list(analysis.people.select_related("person"))
    floor = photodesk_settings.LABEL_REVIEW_THRESHOLD
    added = site.image_added(video)
    written = ". ".join(p for p in (site.video_title(video), site.image_caption(video)) if p)
    documents = []
    for shot in shots:
        people = list(
            {
                s.person.pk: s.person for s in spans if s.start < shot.end and s.end > shot.start
            }.values()
        )
        labels = [
            (d["name"], d["confidence"] / 100) for d in shot.labels if d["confidence"] >= floor
        ]
        documents.append(
            IndexDocument(
                id=video_doc_id(video.pk, shot.number),
                vector=shot.vector,
                fields={
                    "labels": labels,
                    "caption": written,
                    "ocr_text": shot.ocr_text,
                    "metadata": "",
                    "people": " ".join(people_names(people)),
                },
                attributes={
                    "media": "video",
                    "created": added.isoformat() if added else None,
                    "width": analysis.width,
                    "height": analysis.height,
                    "orientation": orientation_of(analysis.width, analysis.height),
                    "rights": site.image_rights(video),
                    "flagged": bool(
                        (shot.safety_score or 0) >= photodesk_settings.SAFETY_FLAG_THRESHOLD
                    ),
                    "people_ids": [str(p.pk) for p in people],
                    "labels": sorted({name.casefold() for name, _ in labels}),
                },
            )
        )
    return documents


def video_documents(video_ids: Iterable[int] | None = None) -> Iterator[IndexDocument]:
    """Documents of every analysed video (or of these), for reindex and reconcile."""
    model = get_video_model()
    if model is None:
        return
    analyses = VideoAnalysis.objects.done().order_by("video_id")
    if video_ids is not None:
        analyses = analyses.filter(video_id__in=list(video_ids))
    for analysis in analyses.iterator(chunk_size=100):
        video = model.objects.filter(pk=analysis.video_id).first()
        if video is not None:
            yield from build_video_documents(video, analysis)


def index_video(video: Any, analysis: Any) -> None:
    """Write a video's shot documents, remove those of shots it no longer has, clear its
    index-pending mark."""
    documents, index = build_video_documents(video, analysis), get_index()
    _write(index, "upsert", partial(index.upsert, documents))
    stale = [video_doc_id(video.pk, n) for n in range(len(documents), analysis.indexed_shots)]
    if stale:
        _write(index, "delete", partial(index.delete, stale))
    VideoAnalysis.objects.filter(pk=analysis.pk).update(
        indexed_shots=len(documents), index_pending=False
    )


def remove_video(video_id: int) -> None:
    """Remove every shot document of a video (its analysis says how many were written)."""
    analysis = VideoAnalysis.objects.filter(video_id=video_id).first()
    count = analysis.indexed_shots if analysis else 0
    if count:
        index = get_index()
        ids = [video_doc_id(video_id, n) for n in range(count)]
        _write(index, "delete", partial(index.delete, ids))
        VideoAnalysis.objects.filter(pk=analysis.pk).update(indexed_shots=0, index_pending=False)


def counted(documents: Iterable[IndexDocument], seen: list[int]) -> Iterator[IndexDocument]:
    """`documents`, their ids appended to `seen` as they go by."""
    for document in documents:
        seen.append(document.id)
        yield document


def record_video_shots_indexed(before: Any) -> None:
    """After a rebuild: every analysed video's shots are in the index as its rows say."""
    for analysis in VideoAnalysis.objects.done().filter(updated__lte=before):
        VideoAnalysis.objects.filter(pk=analysis.pk).update(
            indexed_shots=analysis.shots.count(), index_pending=False
        )
