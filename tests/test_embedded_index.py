"""The embedded index's own promises (the contract with OpenSearch is test_index_contract.py):
processes sharing one folder see each other's writes, snapshots change no answer, an index
of the earlier one-file format is read once, a failed write changes nothing, and BM25 uses
the statistics of the documents the filters allow."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photodesk.search.index.base import Filters, IndexDocument, IndexUnavailable, SearchQuery
from photodesk.search.index.embedded import EmbeddedIndex, EmbeddedOptions, backend
from photodesk.search.index.embedded.segments import HANDLED_FILTERS

from .test_index_contract import BY_ID, DIMENSION, DOCS, doc, ids

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    SearchQuery(vectors=[BY_ID[3].vector], keywords="cats fire Jane", limit=10),
    SearchQuery(keywords="cat garden smoke city", filters=Filters(rights_in={"editorial"})),
    SearchQuery(vectors=[BY_ID[1].vector, BY_ID[7].vector], filters=Filters(exclude_ids={2})),
]


def open_index(folder: Path) -> EmbeddedIndex:
    return EmbeddedIndex(EmbeddedOptions(folder), dimension=DIMENSION)


def answers(index: EmbeddedIndex) -> list:
    return [
        [(h.id, round(h.score, 9), h.similarity and round(h.similarity, 5), h.matched) for h in hs]
        for hs in (index.search(q) for q in QUERIES)
    ]


def test_every_filter_is_applied_by_the_embedded_index():
    assert {f.name for f in dataclasses.fields(Filters)} == HANDLED_FILTERS


def test_a_write_is_seen_by_another_process_at_its_next_search(tmp_path):
    web = open_index(tmp_path)
    web.upsert(DOCS)
    assert ids(web.search(SearchQuery(keywords="walrus"))) == []
    worker = f"""
import numpy as np
from photodesk.search.index.base import IndexDocument
from photodesk.search.index.embedded import EmbeddedIndex, EmbeddedOptions
index = EmbeddedIndex(EmbeddedOptions({str(tmp_path)!r}), dimension={DIMENSION})
index.upsert([IndexDocument(42, np.ones({DIMENSION}, np.float32), {{"caption": "a walrus"}})])
index.delete([1])
"""
    subprocess.run([sys.executable, "-c", worker], check=True, cwd=ROOT)
    assert ids(web.search(SearchQuery(keywords="walrus"))) == [42]
    assert 1 not in web.ids() and web.count() == len(DOCS)


def test_instances_on_one_folder_agree_after_writes_deletes_and_a_rebuild(tmp_path):
    writer, reader = open_index(tmp_path), open_index(tmp_path)
    writer.upsert(DOCS)
    assert answers(reader) == answers(writer)
    writer.upsert([doc(4, 0, (1600, 900), "editorial", (2024, 1, 10), caption="A cat in smoke")])
    writer.delete([9])
    assert answers(reader) == answers(writer)
    assert 9 not in reader.ids()
    writer.replace_all(DOCS[:5])
    assert reader.ids() == {1, 2, 3, 4, 5}
    assert answers(reader) == answers(writer)


def test_snapshots_change_no_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(backend, "SNAPSHOT_AFTER", 4)
    index, unsnapped = open_index(tmp_path / "a"), open_index(tmp_path / "b")
    monkeypatch.setattr(backend, "SNAPSHOT_AFTER", 10**9)
    unsnapped.upsert(DOCS)  # one write, never folded into a snapshot
    unsnapped.delete([5])
    monkeypatch.setattr(backend, "SNAPSHOT_AFTER", 4)
    for document in DOCS:  # ten writes: two snapshots on the way
        index.upsert([document])
    index.delete([5])
    assert answers(index) == answers(unsnapped)
    snapshots = list((tmp_path / "a").glob("snapshot-*"))
    assert len(snapshots) == 1  # older ones are removed
    cold = open_index(tmp_path / "a")
    assert answers(cold) == answers(index)
    np.testing.assert_array_equal(cold.vector(4), BY_ID[4].vector)
    assert cold.ids() == set(BY_ID) - {5}


def test_a_snapshot_from_before_a_field_existed_still_answers(tmp_path, monkeypatch):
    """A site upgrading keeps its snapshot: a keyword field added since (words from use) is
    empty in its documents until they are written again."""
    monkeypatch.setattr(backend, "SNAPSHOT_AFTER", 1)
    index = open_index(tmp_path)
    index.upsert(DOCS)
    [folder] = tmp_path.glob("snapshot-*")
    meta = json.loads((folder / "meta.json").read_text())
    del meta["vocabularies"]["usage"]  # as an older version wrote it
    (folder / "meta.json").write_text(json.dumps(meta))
    lengths = np.load(folder / "lengths.npy")
    np.save(folder / "lengths.npy", lengths[:, :-1])
    cold = open_index(tmp_path)
    assert answers(cold) == answers(index)
    monkeypatch.setattr(backend, "SNAPSHOT_AFTER", 10**9)
    used = IndexDocument(13, BY_ID[1].vector, {"caption": "", "usage": "Flood in York"})
    cold.upsert([used])
    assert ids(cold.search(SearchQuery(keywords="york"))) == [13]


def test_a_failed_write_changes_nothing(tmp_path):
    index = open_index(tmp_path)
    index.upsert(DOCS)
    before = answers(index)
    changed = doc(1, 2, (1200, 800), "editorial", (2023, 3, 1), caption="A parrot")
    wrong = IndexDocument(50, np.ones(DIMENSION // 2, np.float32), {"caption": "x"})
    with pytest.raises(IndexUnavailable, match="reindex --re-embed"):
        index.upsert([changed, wrong])
    with pytest.raises(IndexUnavailable):
        index.replace_all([DOCS[0], wrong])
    assert answers(open_index(tmp_path)) == before == answers(index)


def test_an_index_of_the_earlier_format_is_read_once(tmp_path):
    """index.npz as the one-file index wrote it: ids, vectors, and JSON terms/attributes."""
    folder = tmp_path / "index"
    folder.mkdir()
    docs = {}
    for document in DOCS:
        stored = backend.stored_form(document)
        docs[str(document.id)] = {"terms": stored["terms"], "attributes": document.attributes}
    meta = json.dumps({"format": 1, "docs": docs}, default=str)
    vectors = np.stack([d.vector for d in DOCS])
    np.savez(folder / "index.npz", ids=np.array([d.id for d in DOCS]), vectors=vectors,
             meta=np.array(meta))  # fmt: skip
    fresh = open_index(tmp_path / "fresh")
    fresh.upsert(DOCS)
    migrated = open_index(folder)
    assert answers(migrated) == answers(fresh)
    assert not (folder / "index.npz").exists()
    assert answers(open_index(folder)) == answers(fresh)


def test_bm25_counts_only_the_documents_the_filters_allow(tmp_path):
    index = open_index(tmp_path)
    index.upsert(DOCS)
    filters = Filters(rights_in={"editorial", "unrestricted"})
    hits = index.search(SearchQuery(keywords="cat", filters=filters, limit=20))
    allowed = [d for d in DOCS if filters.accepts(d.id, d.attributes)]
    lengths = {d.id: sum(backend.stored_form(d)["terms"].get("caption", {}).values())
               for d in allowed}  # fmt: skip
    having = [d.id for d in allowed if "cat" in backend.stored_form(d)["terms"].get("caption", {})]
    n, avg = len(allowed), sum(lengths.values()) / len(allowed)
    idf = math.log(1 + (n - len(having) + 0.5) / (len(having) + 0.5))

    def bm25(doc_id: int) -> float:
        tf = backend.stored_form(BY_ID[doc_id])["terms"]["caption"]["cat"]
        return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[doc_id] / avg))

    assert {h.id: h.keyword_score for h in hits} == pytest.approx({i: bm25(i) for i in having})
    # Equal scores come in id order.
    assert ids(hits) == sorted(having, key=lambda i: (-bm25(i), i))
