"""Why a result was proposed, as structured reasons the admin panel, the API and the commands
render: each has a `kind`, a readable `text` and the facts behind it.

Kinds: "label" (a tag named in the query, with confidence), "looks_like" (the detected class
closest in meaning), "person" (a person named in the article is shown), "faces" (faces for a
query about people), "words" (query words matched in the caption, the text in the image, the
photo metadata or the names of people shown), "similarity" (cosine in the text model's space;
with a joint image–text model, of the picture's own vector and the query, naming the model),
"borrowed" (words of visually similar photos that went into an uncaptioned photo's vector:
the lenders whose words best match the query first, with links to them), "used" (words of an
article that uses the photo), "never_used", "recently_used", "near_duplicate".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from photodesk.analysis import describe
from photodesk.analysis.borrowed import Lent
from photodesk.analysis.embedding import joint_model
from photodesk.labels.service import rejected_classes
from photodesk.models import ImageAnalysis, ImageLabel, UsageWords
from photodesk.search.index import Hit
from photodesk.search.text.tokens import tokens

WORD_FIELDS = {
    "caption": "caption",
    "ocr_text": "text in image",
    "metadata": "photo metadata",
    "people": "names of people shown",
    "labels": "labels",
}

PEOPLE_WORDS = set(tokens("person people man men woman women child children boy girl crowd face"))


@dataclass
class Reason:
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, **self.data}

    def __str__(self) -> str:
        return self.text


def explain(
    hit: Hit,
    analysis: ImageAnalysis | None,
    tags: list[ImageLabel],
    query_vectors: list[np.ndarray],
    query_text: str = "",
    lent: list[Lent] = (),
    *,
    usage: list[UsageWords] | None = None,
    rejected: set[int] | None = None,
) -> list[Reason]:
    """Reasons from the match itself: tags named in the query (accepted ones only), the
    detected class closest in meaning, words matched, faces for a query about people,
    similarity. Boosts and penalties add theirs (ranking.py). `usage` (the image's
    UsageWords rows) and `rejected` (its rejected classes) are read from the database unless
    given (a page of results reads them for all its images at once: usage_by_image,
    labels.service.rejected_classes_by_image)."""
    reasons: list[Reason] = []
    query_terms = set(tokens(query_text))
    named = [row for row in tags if query_terms & set(tokens(" ".join(row.label.terms())))]
    named.sort(key=lambda row: -row.confidence)
    for row in named[:3]:
        reasons.append(
            Reason(
                "label",
                f"label “{row.label.name}” ({row.confidence:.0f}%)",
                {"label": row.label.name, "confidence": round(row.confidence, 1)},
            )
        )
    if analysis is not None:
        if query_vectors and analysis.concepts:
            closest = closest_class(analysis, query_vectors, rejected)
            if closest and not any(closest in r.text for r in reasons):
                confidence = next(
                    (label["confidence"] for label in analysis.labels if label["name"] == closest),
                    None,
                )
                suffix = f" ({confidence:.0f}%)" if confidence is not None else ""
                reasons.append(
                    Reason(
                        "looks_like",
                        f"looks like {closest}{suffix}",
                        {
                            "label": closest,
                            "confidence": None if confidence is None else round(confidence, 1),
                        },
                    )
                )
        if lent:
            reasons.append(borrowed_reason(lent, query_terms))
        if analysis.face_count and query_terms & PEOPLE_WORDS:
            reasons.append(
                Reason(
                    "faces",
                    f"{analysis.face_count} face(s) detected",
                    {"count": analysis.face_count},
                )
            )
    reasons.extend(used_in(hit, query_terms, usage))
    for name, words in WORD_FIELDS.items():
        if name == "labels" and reasons and reasons[0].kind == "label":
            continue  # the tag reasons already say it, with confidence
        matched = sorted(set(hit.matched.get(name) or []))
        if matched:
            text = (
                "shows someone named " + ", ".join(matched)
                if name == "people"
                else f"{words} mentions " + ", ".join(matched)
            )
            reasons.append(Reason("words", text, {"field": name, "words": matched}))
    if hit.similarity is not None:
        joint = joint_model()
        if joint is not None:
            # The picture itself against the words, in the joint model's space.
            text = f"similar in meaning ({hit.similarity:.2f}, image–text model {joint.name})"
            data = {"value": round(hit.similarity, 4), "model": joint.name}
        else:
            text, data = (
                f"similar in meaning ({hit.similarity:.2f})",
                {"value": round(hit.similarity, 4)},
            )
        reasons.append(Reason("similarity", text, data))
    return reasons


def borrowed_reason(lent: list[Lent], query_terms: set[str], limit: int = 3) -> Reason:
    """ "looks like photos captioned “a dog runs across the grass” (0.82)": the lenders whose
    words share most with the query first (then the heaviest), each linked to its photo."""
    ranked = sorted(lent, key=lambda w: (-len(query_terms & set(tokens(w.text))), -w.weight))
    ranked = ranked[:limit]
    photos = [
        {"image_id": w.image_id, "text": w.text, "similarity": round(w.similarity, 4), "url": w.url}
        for w in ranked
    ]
    return Reason("borrowed", describe.borrowed_summary(ranked, limit=1), {"photos": photos})


# The most articles one result names as "used in", and the most recent uses looked at for them.
MAX_USED_IN = 2
USES_READ = 20


def usage_by_image(image_ids: list[int]) -> dict[int, list[UsageWords]]:
    """Each image's most recent uses (at most USES_READ), for used_in, in one query."""
    rows: dict[int, list[UsageWords]] = {image_id: [] for image_id in image_ids}
    for row in UsageWords.objects.active().filter(image_id__in=image_ids):
        if len(rows[row.image_id]) < USES_READ:
            rows[row.image_id].append(row)
    return rows


def used_in(hit: Hit, query_terms: set[str], rows: list[UsageWords] | None = None) -> list[Reason]:
    """ "used in “<article title>”" for the articles that use the photo and share words with
    the query (those words matched its usage field, or went into its vector)."""
    wanted = query_terms | set(hit.matched.get("usage") or [])  # both are tokens already
    if not wanted:
        return []
    if rows is None:
        rows = usage_by_image([hit.id])[hit.id]
    reasons = []
    for row in rows:
        shared = sorted(wanted & set(tokens(row.text)))
        if shared:
            reasons.append(
                Reason(
                    "used",
                    row.source,
                    {"title": row.title, "article_id": row.article_id, "words": shared},
                )
            )
        if len(reasons) == MAX_USED_IN:
            break
    return reasons


def closest_class(
    analysis: ImageAnalysis, query_vectors: list[np.ndarray], rejected: set[int] | None = None
) -> str | None:
    """The detected class that contributes most to the match: max p(class) x sim(query, class);
    `rejected` (the classes a person rejected on this image) is read unless given."""
    if rejected is None:
        rejected = rejected_classes(analysis.image_id) if analysis.image_id else set()
    evidence = {int(k): float(v) for k, v in analysis.concepts.items() if int(k) not in rejected}
    indices = [i for i, p in evidence.items() if p >= 0.05]  # weights among the top 10
    if not indices:
        return None
    class_vectors = describe.class_texts.vectors(indices)
    sims = (np.stack(query_vectors) @ class_vectors.T).max(axis=0)
    contribution = np.array([evidence[i] for i in indices]) * np.clip(sims, 0, None)
    best = int(np.argmax(contribution))
    if sims[best] < 0.25:
        return None
    return describe.class_texts.label(indices[best])
