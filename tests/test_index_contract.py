"""One contract for every index backend: the embedded index and a real OpenSearch node get the
same documents, queries and filters and must answer alike.

The first half runs each test against both backends. The second half compares them on the
eval captions (440 real captions, real MiniLM vectors) and on the demo photos analysed by the
real models: their top-10 lists must overlap on average by at least 0.99 on the captions (0.9975
measured: the two rank alike, ties in id order) and 0.9 on the demo photos.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from photodesk.search.index.base import (
    Filters,
    IndexDocument,
    IndexUnavailable,
    SearchIndex,
    SearchQuery,
    fuse,
)
from photodesk.search.index.embedded import EmbeddedIndex, EmbeddedOptions
from photodesk.search.index.opensearch.schema import unhandled_filters

from .conftest import EVAL_PHOTOS, SHARED, need
from .opensearch_support import DIMENSION, drop, fresh_index, new_alias, require_node

UTC = dt.UTC
RNG = np.random.default_rng(7)
TOPICS = [RNG.normal(size=DIMENSION) for _ in range(4)]  # directions of meaning


def unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def near(topic: int, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(size=DIMENSION)
    return unit(TOPICS[topic] + 0.6 * noise)


def doc(doc_id, topic, size, rights, created, **text) -> IndexDocument:
    width, height = size
    orientation = (
        "landscape" if width > height * 1.1 else "portrait" if height > width * 1.1 else "square"
    )
    return IndexDocument(
        id=doc_id,
        vector=near(topic, doc_id),
        fields={
            "labels": text.pop("labels", []),
            "caption": text.pop("caption", ""),
            "ocr_text": text.pop("ocr_text", ""),
            "metadata": text.pop("metadata", ""),
            "people": text.pop("people", ""),
        },
        attributes={
            "created": dt.datetime(*created, tzinfo=UTC).isoformat(),
            "width": width,
            "height": height,
            "orientation": orientation,
            "rights": rights,
        },
    )


DOCS = [
    doc(1, 0, (1200, 800), "editorial", (2023, 3, 1), caption="A tabby cat asleep on a sofa",
        labels=[("tabby cat", 0.93), ("sofa", 0.4)]),
    doc(2, 0, (800, 1200), "unrestricted", (2024, 5, 1), caption="Two cats playing in a garden"),
    doc(3, 1, (1000, 1000), "forbidden", (2022, 7, 9), caption="Firefighters at a warehouse",
        ocr_text="FIRE EXIT"),
    doc(4, 1, (1600, 900), "editorial", (2024, 1, 10), caption="Smoke over the city after the fire",
        metadata="Reuters London United Kingdom"),
    doc(5, 2, (1200, 800), "restricted", (2021, 11, 2),
        caption="The prime minister speaks at a press conference", people="Jane Doe"),
    doc(6, 2, (640, 480), "editorial", (2024, 8, 30), caption="Protesters outside parliament",
        ocr_text="NO WAR"),
    doc(7, 3, (3000, 2000), "unrestricted", (2023, 12, 24),
        caption="A sports car on a mountain road"),
    doc(8, 3, (900, 1600), "editorial", (2020, 2, 29), caption="Traffic jam on the motorway",
        metadata="Berlin Germany"),
    doc(9, 0, (400, 300), "editorial", (2024, 6, 15), caption="A dog and a cat share a bowl"),
    doc(10, 2, (2000, 1000), "forbidden", (2023, 6, 6), caption="Crowds at the election rally",
        people="Jane Doe John Roe"),
]  # fmt: skip
DOCS[5].attributes["flagged"] = True
DOCS[6].attributes["flagged"] = False
for _doc in DOCS:  # people shown (ids) and tag names, as indexing.build_document writes them
    _doc.attributes["people_ids"] = {5: [1], 10: [1, 2]}.get(_doc.id, [])
    _doc.attributes["labels"] = sorted(name.casefold() for name, _ in _doc.fields["labels"])
BY_ID = {d.id: d for d in DOCS}


def embedded_index(folder) -> EmbeddedIndex:
    return EmbeddedIndex(EmbeddedOptions(folder / "index"), dimension=DIMENSION)


@pytest.fixture(params=["embedded", "opensearch"])
def index(request, tmp_path):
    if request.param == "embedded":
        yield embedded_index(tmp_path)
        return
    with fresh_index() as index:
        yield index


@pytest.fixture
def filled(index: SearchIndex) -> SearchIndex:
    assert index.upsert(DOCS) == len(DOCS)
    return index


def ids(hits) -> list[int]:
    return [h.id for h in hits]


def test_every_filter_is_translated_for_opensearch():
    assert unhandled_filters() == set()


def test_an_empty_index_answers_with_nothing(index):
    assert index.count() == 0 and index.ids() == set()
    assert index.search(SearchQuery(vectors=[unit(TOPICS[0])], keywords="cat")) == []
    assert index.vector(1) is None


def test_documents_read_back(filled):
    assert filled.count() == len(DOCS)
    assert filled.ids() == set(BY_ID)
    np.testing.assert_array_equal(filled.vector(4), BY_ID[4].vector)
    assert filled.vector(999) is None


def test_upsert_replaces_a_document(filled):
    changed = doc(1, 2, (1200, 800), "editorial", (2023, 3, 1), caption="A parrot on a perch")
    filled.upsert([changed])
    assert filled.count() == len(DOCS)
    np.testing.assert_array_equal(filled.vector(1), changed.vector)
    assert 1 in ids(filled.search(SearchQuery(keywords="parrot")))
    assert 1 not in ids(filled.search(SearchQuery(keywords="tabby sofa")))


def test_deleted_documents_are_never_found(filled):
    filled.delete([1, 2, 999])
    assert filled.ids() == set(BY_ID) - {1, 2}
    hits = filled.search(SearchQuery(vectors=[BY_ID[1].vector], keywords="cat", limit=20))
    assert not {1, 2} & set(ids(hits))


def test_vector_search_ranks_by_cosine(filled):
    query = BY_ID[3].vector
    hits = filled.search(SearchQuery(vectors=[query], limit=len(DOCS)))
    expected = sorted(DOCS, key=lambda d: -float(d.vector @ query))
    assert ids(hits) == [d.id for d in expected]
    for hit in hits:
        assert hit.similarity == pytest.approx(float(BY_ID[hit.id].vector @ query), abs=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_keyword_search_says_which_words_matched_which_field(filled):
    hits = {h.id: h for h in filled.search(SearchQuery(keywords="cats near the fire exit, Jane"))}
    assert set(hits) == {1, 2, 3, 4, 5, 9, 10}
    matched = {doc_id: {f: sorted(w) for f, w in h.matched.items()} for doc_id, h in hits.items()}
    assert matched[1] == {"caption": ["cat"]}
    assert matched[3] == {"ocr_text": ["exit", "fire"]}
    assert matched[4] == {"caption": ["fire"]}
    assert matched[5] == {"people": ["jane"]}
    assert all(h.keyword_score and h.similarity is None for h in hits.values())


def test_tags_reach_the_keyword_side_when_a_query_weights_them(filled):
    tagged = IndexDocument(12, near(3, 12), {"caption": "", "labels": [("Walrus", 0.9)]})
    filled.upsert([tagged])
    assert ids(filled.search(SearchQuery(keywords="walrus"))) == []  # tags off by default
    hits = filled.search(SearchQuery(keywords="walrus", field_weights={"labels": 1.0}))
    assert ids(hits) == [12] and hits[0].matched == {"labels": ["walrus"]}


def test_words_from_use_match_below_a_caption_with_the_same_words(filled):
    used = IndexDocument(
        13, near(3, 13), {"caption": "", "usage": "Flood defences fail in York. The river rose."}
    )
    captioned = IndexDocument(14, near(3, 14), {"caption": "Flood defences in York"})
    filled.upsert([used, captioned])
    hits = filled.search(SearchQuery(keywords="york flood defences"))
    assert ids(hits) == [14, 13]  # the same words weigh less as words from use
    assert {f: sorted(w) for f, w in hits[1].matched.items()} == {
        "usage": ["defence", "flood", "york"]
    }
    assert hits[1].keyword_score < hits[0].keyword_score
    assert ids(filled.search(SearchQuery(keywords="river", field_weights={"caption": 1.0}))) == []


def test_fusion_by_normalised_scores_ranks_the_document_matching_both_sides_first(filled):
    query = SearchQuery(vectors=[BY_ID[3].vector], keywords="smoke", fusion="scores")
    assert ids(filled.search(query))[:2] == [4, 3]


def test_filter_people_and_labels_sets_are_exact():
    assert Filters(people_ids={1, 2}).accepts(10, {"people_ids": [2, 1]})
    assert not Filters(people_ids={1, 2}).accepts(5, {"people_ids": [1]})
    assert Filters(labels={"Tabby  Cat"}).accepts(1, {"labels": ["tabby cat"]})
    assert not Filters(labels={"cat"}).accepts(1, {"labels": ["tabby cat"]})


def test_stop_words_alone_match_nothing(filled):
    assert filled.search(SearchQuery(keywords="the of and at")) == []


def test_hybrid_puts_the_document_matching_both_sides_first(filled):
    # Closest in meaning to the warehouse fire (3), but only 4 mentions smoke.
    hits = filled.search(SearchQuery(vectors=[BY_ID[3].vector], keywords="smoke"))
    assert ids(hits)[:2] == [4, 3]
    assert hits[0].matched == {"caption": ["smoke"]}


def test_several_query_vectors_are_fused(filled):
    queries = [BY_ID[1].vector, BY_ID[7].vector]
    hits = filled.search(SearchQuery(vectors=queries, limit=4))
    rankings = [sorted(BY_ID, key=lambda i: -float(BY_ID[i].vector @ q)) for q in queries]
    expected = fuse(rankings, [0.5, 0.5])
    assert ids(hits) == sorted(expected, key=lambda i: -expected[i])[:4]
    for hit in hits:
        best = max(float(BY_ID[hit.id].vector @ q) for q in queries)
        assert hit.similarity == pytest.approx(best, abs=1e-4)


FILTERS = {
    "exclude": Filters(exclude_ids={1, 4}),
    "include": Filters(include_ids={2, 3, 5}),
    "include-none": Filters(include_ids=set()),
    "rights": Filters(rights_in={"editorial", "unrestricted"}),
    "orientation": Filters(orientation="portrait"),
    "min-width": Filters(min_width=1200),
    "created-between": Filters(
        created_after=dt.datetime(2023, 1, 1, tzinfo=UTC),
        created_before=dt.datetime(2024, 1, 10, tzinfo=UTC),
    ),
    "combined": Filters(rights_in={"editorial"}, orientation="landscape", exclude_ids={6}),
    "not-flagged": Filters(exclude_flagged=True),
    "person": Filters(people_ids={1}),
    "people-together": Filters(people_ids={1, 2}),
    "label": Filters(labels={"Tabby Cat"}),
    "labels-and-rights": Filters(labels={"tabby cat", "sofa"}, rights_in={"editorial"}),
}


@pytest.mark.parametrize("name", FILTERS)
def test_filters_apply_inside_both_sides(filled, name):
    filters = FILTERS[name]
    allowed = {d.id for d in DOCS if filters.accepts(d.id, d.attributes)}
    query = SearchQuery(
        vectors=[unit(TOPICS[0])], keywords="cat fire jane", filters=filters, limit=50
    )
    # Every allowed document is within the vector side's candidates, so all come back.
    assert set(ids(filled.search(query))) == allowed
    keyword_only = SearchQuery(keywords="cat fire jane", filters=filters, limit=50)
    assert set(ids(filled.search(keyword_only))) <= allowed


def test_replace_all_swaps_in_the_new_content(filled):
    assert filled.replace_all(DOCS[:3]) == 3
    assert filled.ids() == {1, 2, 3}
    assert ids(filled.search(SearchQuery(vectors=[BY_ID[2].vector], limit=1))) == [2]


def test_a_document_without_any_evidence_is_still_found_by_its_words(index):
    empty = IndexDocument(11, np.zeros(DIMENSION, np.float32), {"caption": "an unusual walrus"})
    index.upsert([*DOCS, empty])
    assert ids(index.search(SearchQuery(keywords="walrus"))) == [11]
    # OpenSearch leaves it out of the vector side (Lucene has no cosine for a zero vector),
    # the embedded index ranks it last there: either way the keyword side brings it up.
    assert 11 in ids(index.search(SearchQuery(vectors=[unit(TOPICS[1])], keywords="walrus")))


# -- the two backends side by side ------------------------------------------------------


def overlap(a: list[int], b: list[int]) -> float:
    if not a and not b:
        return 1.0  # both found nothing
    return len(set(a) & set(b)) / max(len(a), len(b))


@pytest.fixture
def both(tmp_path):
    with fresh_index() as index:
        yield embedded_index(tmp_path), index


def eval_documents(embed) -> tuple[list[IndexDocument], list[dict]]:
    """The eval photos as index documents: a human caption as the text, its MiniLM vector as
    the image vector (no image model needed), real sizes, spread dates and rights."""
    rows = [json.loads(line) for line in (EVAL_PHOTOS / "captions.jsonl").open()]
    vectors = embed([row["captions"][0] for row in rows])
    rights = ["editorial", "unrestricted", "restricted", "forbidden"]
    docs = []
    for i, (row, vector) in enumerate(zip(rows, vectors, strict=True)):
        width, height = row.get("width") or 500, row.get("height") or 375
        docs.append(
            IndexDocument(
                id=i + 1,
                vector=vector,
                fields={"caption": row["captions"][0], "labels": []},
                attributes={
                    "created": dt.datetime(2015 + i % 10, 1 + i % 12, 1, tzinfo=UTC).isoformat(),
                    "width": width,
                    "height": height,
                    "orientation": "landscape" if width > height else "portrait",
                    "rights": rights[i % 4],
                },
            )
        )
    return docs, rows


@pytest.mark.slow
def test_backends_agree_on_the_eval_captions(both):
    need((EVAL_PHOTOS / "captions.jsonl").is_file(), "../shared/photos/eval is missing")
    need((SHARED / "models").is_dir(), "../shared/models is missing")
    from photodesk.analysis.embedding import embedder

    embed = embedder().predict
    docs, rows = eval_documents(embed)
    embedded, opensearch = both
    embedded.upsert(docs)
    opensearch.upsert(docs)
    queries = [row["captions"][1] for row in rows[::4]]
    articles = [json.loads(line) for line in (EVAL_PHOTOS / "articles.jsonl").open()]
    query_vectors = embed(queries)
    cases = [
        SearchQuery(vectors=[v], keywords=q) for q, v in zip(queries, query_vectors, strict=True)
    ]
    cases += [SearchQuery(keywords=q) for q in queries[:20]]  # keyword side alone
    cases += [
        SearchQuery(vectors=[v], keywords=q, filters=Filters(rights_in={"editorial"}))
        for q, v in zip(queries[:20], query_vectors[:20], strict=True)
    ]
    cases += [
        SearchQuery(vectors=list(embed([a["title"], a["body"]])), keywords=a["title"])
        for a in articles
    ]
    overlaps = [overlap(ids(embedded.search(case)), ids(opensearch.search(case))) for case in cases]
    mean = sum(overlaps) / len(overlaps)
    worst = sorted(overlaps)[: len(overlaps) // 20]
    assert mean >= 0.99, f"mean top-10 overlap {mean:.3f}, worst {worst}"


@pytest.mark.slow
def test_backends_agree_on_the_demo_photos_with_the_same_reasons(archive, settings):
    """search_images and suggest_for_article on the demo photos (real models), once through
    the embedded index and once through OpenSearch (built by `manage.py reindex`)."""
    require_node()
    from django.core.management import call_command

    from photodesk.search.service import search_images, suggest_for_article

    from .opensearch_support import use_opensearch
    from .test_search import CAR_COMPANY

    queries = [
        "a cat",
        "a cup of coffee",
        CAR_COMPANY,
        "people walking in the street",
        "snow",
        "an airport",
        "tennis match",
        "rocket launch",
        "sheep in a field",
        "a red bus",
        "space",
        "motorcycle race",
    ]

    def run() -> list[list]:
        results = [search_images(q, limit=10) for q in queries]
        results.append(suggest_for_article(title="Carmaker profits", body=CAR_COMPANY))
        return results

    embedded = run()
    alias = new_alias()
    try:
        use_opensearch(settings, alias)
        call_command("reindex", no_progress=True)
        opensearch = run()
    finally:
        drop(alias)
    overlaps = []
    for ours, theirs in zip(embedded, opensearch, strict=True):
        overlaps.append(overlap([r.image.pk for r in ours], [r.image.pk for r in theirs]))
        reasons = {r.image.pk: r.reasons for r in theirs}
        for result in ours:
            if result.image.pk in reasons:
                assert result.reasons == reasons[result.image.pk]
    assert sum(overlaps) / len(overlaps) >= 0.9, overlaps


@pytest.mark.django_db
def test_reconcile_fills_and_prunes_the_embedded_index_too(archive, separate_index):
    """The embedded index stores no fingerprints: reconcile still finds missing and orphaned
    documents (and says it cannot see stale ones)."""
    from io import StringIO

    from django.core.management import call_command

    from photodesk.search.index import get_index

    index = get_index()
    assert isinstance(index, EmbeddedIndex) and index.count() == 0
    index.upsert([IndexDocument(987_654, DOCS[0].vector, {"caption": "gone"})])
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert f"{len(archive)} missing, 0 stale, 1 orphaned" in out.getvalue()
    assert "stale documents go unseen" in out.getvalue()
    assert index.ids() == set(archive.values())


def test_the_index_is_made_from_the_settings_once_per_configuration(settings, tmp_path):
    from photodesk.search.index import get_index

    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "a"}
    index = get_index()
    assert isinstance(index, EmbeddedIndex)
    assert index.path == tmp_path / "a" and index.dimension == DIMENSION  # the embedder's
    assert get_index() is index
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "b"}
    assert get_index().path == tmp_path / "b"


def test_an_empty_embedded_index_refuses_vectors_of_another_dimension(tmp_path):
    index = embedded_index(tmp_path)
    with pytest.raises(IndexUnavailable, match="run `manage.py reindex --re-embed`"):
        index.upsert([IndexDocument(1, np.ones(DIMENSION // 2, np.float32), {"caption": "x"})])
    assert index.count() == 0
