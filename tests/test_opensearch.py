"""OpenSearch as the production index, against a real node: mapping, exact and HNSW kNN,
nested labels, alias swaps under load, deletes, reconcile and the system check."""

from __future__ import annotations

import threading
import time
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from photodesk.search.index import get_index
from photodesk.search.index.base import Filters, IndexBusy, IndexDocument, SearchQuery
from photodesk.search.index.opensearch import OpenSearchIndex

from .opensearch_support import (
    DIMENSION,
    OPENSEARCH_URL,
    drop,
    fresh_index,
    make_index,
    new_alias,
    require_node,
    use_opensearch,
)


def random_docs(n: int, seed: int = 0, start: int = 1) -> list[IndexDocument]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = ["harbour", "election", "storm", "market", "football", "concert", "bridge", "court"]
    return [
        IndexDocument(
            id=start + i,
            vector=vectors[i],
            fields={"caption": f"{words[i % 8]} {words[(i * 3) % 8]} number {i}", "labels": []},
            attributes={"rights": "editorial", "width": 800, "height": 600},
        )
        for i in range(n)
    ]


def test_connection_settings_carry_credentials_and_tls():
    """OPENSEARCH_URL with credentials, or separate ones; https is TLS, verified by default."""
    import base64

    from photodesk.search.index.opensearch.client import ConnectionOptions, make_client

    def connection(options: ConnectionOptions):
        return make_client(options).transport.connection_pool.connection

    in_url = connection(ConnectionOptions("https://alice:s3cret@search.example.org:9443"))
    assert in_url.host == "https://search.example.org:9443"
    assert in_url.headers["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert in_url.pool.cert_reqs == "CERT_REQUIRED"
    separate = connection(
        ConnectionOptions("https://search.example.org", username="bob", password="pw",
                          verify_certs=False)
    )  # fmt: skip
    assert separate.headers["authorization"] == "Basic " + base64.b64encode(b"bob:pw").decode()
    assert separate.pool.cert_reqs == "CERT_NONE"
    plain = connection(ConnectionOptions("http://127.0.0.1:9200"))
    assert plain.host == "http://127.0.0.1:9200" and "authorization" not in plain.headers


@pytest.fixture
def index():
    with fresh_index() as index:
        yield index


def test_mapping_versioned_index_and_alias(index):
    index.upsert(random_docs(3))
    serving = index.aliases()[index.alias]
    assert serving == [f"{index.alias}-v1"]
    mapping = index.client.indices.get_mapping(index=index.alias)[serving[0]]["mappings"]
    props = mapping["properties"]
    assert props["vector"]["type"] == "knn_vector" and props["vector"]["dimension"] == 384
    assert props["vector"]["method"]["engine"] == "lucene"
    assert props["vector"]["method"]["space_type"] == "cosinesimil"
    assert props["caption"]["analyzer"] == "english"
    assert props["labels"]["type"] == "nested"
    assert props["created"]["type"] == "date" and props["rights"]["type"] == "keyword"
    assert index.mapping_problems() == []


def test_exact_knn_score_script_and_hnsw_agree_with_numpy(index):
    docs = random_docs(400, seed=1)
    index.upsert(docs)
    matrix = np.stack([d.vector for d in docs])
    query = docs[0].vector * 0.7 + docs[1].vector * 0.3
    query /= np.linalg.norm(query)
    exact = [docs[i].id for i in np.argsort(-(matrix @ query))[:10]]
    body = {
        "size": 10,
        "query": {
            "script_score": {
                "query": {"match_all": {}},
                "script": {
                    "source": "knn_score",
                    "lang": "knn",
                    "params": {
                        "field": "vector",
                        "query_value": query.tolist(),
                        "space_type": "cosinesimil",
                    },
                },
            }
        },
    }
    scripted = index.client.search(index=index.alias, body=body)["hits"]["hits"]
    assert [int(h["_id"]) for h in scripted] == exact
    hnsw = index.search(SearchQuery(vectors=[query], limit=10))
    assert len(set(h.id for h in hnsw) & set(exact)) >= 9


def test_alias_swap_under_concurrent_searches_fails_no_search(index):
    docs = random_docs(300, seed=2)
    index.upsert(docs)
    searcher = make_index(index.alias)  # its own client, like another web process
    errors: list[BaseException] = []
    answered: list[int] = []
    stop = threading.Event()

    def search_forever(seed: int) -> None:
        rng = np.random.default_rng(seed)
        while not stop.is_set():
            doc = docs[int(rng.integers(len(docs)))]
            try:
                hits = searcher.search(SearchQuery(vectors=[doc.vector]))
                assert len(hits) == 10 and hits[0].id == doc.id
                hybrid = searcher.search(SearchQuery(vectors=[doc.vector], keywords="harbour"))
                assert len(hybrid) == 10
                answered.append(1)
            except BaseException as exc:  # noqa: BLE001 (any failure is the finding)
                errors.append(exc)

    threads = [threading.Thread(target=search_forever, args=(s,)) for s in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            time.sleep(0.3)
            assert index.replace_all(docs) == len(docs)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(answered) > 50
    assert index.aliases() == {index.alias: [f"{index.alias}-v4"], index.building_alias: []}
    assert set(index._generations()) == {f"{index.alias}-v4"}  # replaced ones are dropped


def test_writes_during_a_rebuild_reach_the_new_index(index):
    docs = random_docs(60, seed=3)
    index.upsert(docs)
    writer = make_index(index.alias)
    late = random_docs(1, seed=4, start=1000)[0]

    def database_rows():
        for i, doc in enumerate(docs):
            if i == 40:  # the rebuild has sent the first 30 (batches of 10)
                writer.upsert([late])
                writer.delete([docs[5].id])
                with pytest.raises(IndexBusy):
                    writer.replace_all([])
            yield doc

    make_index(index.alias, bulk_size=10).replace_all(database_rows())
    assert late.id in index.ids()
    assert docs[5].id not in index.ids()
    assert index.count() == len(docs)


def test_a_first_write_during_the_very_first_rebuild_is_kept(index):
    docs = random_docs(30, seed=6)
    late = random_docs(1, seed=7, start=2000)[0]

    def database_rows():
        for i, doc in enumerate(docs):
            if i == 20:  # no serving index yet: this write creates one
                make_index(index.alias).upsert([late])
            yield doc

    make_index(index.alias, bulk_size=10).replace_all(database_rows())
    assert index.aliases() == {index.alias: [f"{index.alias}-v1"], index.building_alias: []}
    assert set(index._generations()) == {f"{index.alias}-v1"}
    assert index.ids() == {d.id for d in docs} | {late.id}


def segments(index: OpenSearchIndex) -> int:
    stats = index.client.indices.stats(index=index.alias, metric="segments")["_all"]
    return stats["primaries"]["segments"]["count"]


def flushed_as_loaded(index: OpenSearchIndex, docs: list[IndexDocument], every: int):
    """The documents of a rebuild, the index being built flushed every `every` of them: a
    segment each time, as a large load's full indexing buffer makes them."""
    for i, doc in enumerate(docs, 1):
        yield doc
        if i % every == 0:
            index.client.indices.flush(index=index.building_alias)


def test_a_rebuilt_index_serves_from_few_segments_with_the_same_answers(index):
    docs = random_docs(400, seed=8)
    matrix = np.stack([d.vector for d in docs])
    queries = [docs[i].vector * 0.6 + docs[i + 1].vector * 0.4 for i in range(0, 50, 10)]

    def answers() -> list[list[int]]:
        return [[h.id for h in index.search(SearchQuery(vectors=[q], limit=10))] for q in queries]

    exact = [[docs[i].id for i in np.argsort(-(matrix @ q))[:10]] for q in queries]
    loose = make_index(index.alias, bulk_size=20, bulk_concurrency=1, merge_segments=0)
    loose.replace_all(flushed_as_loaded(loose, docs, every=60))
    assert segments(index) >= 4  # what a rebuild serves without the merge
    assert answers() == exact

    merged = make_index(index.alias, bulk_size=20, bulk_concurrency=1, merge_segments=2)
    merged.replace_all(flushed_as_loaded(merged, docs, every=60))
    assert segments(index) <= 2
    assert index.count() == len(docs)
    assert answers() == exact
    keyword = index.search(SearchQuery(keywords="number 17", limit=3))
    assert keyword and keyword[0].id == docs[17].id


def test_a_failed_rebuild_leaves_the_serving_index_alone(index):
    docs = random_docs(20, seed=5)
    index.upsert(docs)

    def broken_rows():
        yield from docs[:10]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        index.replace_all(broken_rows())
    assert index.aliases() == {index.alias: [f"{index.alias}-v1"], index.building_alias: []}
    assert set(index._generations()) == {f"{index.alias}-v1"}
    assert index.count() == 20


@pytest.fixture
def opensearch_archive(archive, settings):
    """The demo archive indexed in OpenSearch by `manage.py reindex`, as get_index()."""
    require_node()
    alias = new_alias()
    use_opensearch(settings, alias)
    try:
        call_command("reindex", no_progress=True, stdout=StringIO())
        index = get_index()
        assert isinstance(index, OpenSearchIndex)
        yield index
    finally:
        drop(alias)


@pytest.mark.django_db
def test_deleting_an_image_removes_it_from_opensearch(
    opensearch_archive, archive, django_capture_on_commit_callbacks
):
    from cms_images.models import Image
    from photodesk import tasks
    from photodesk.search.service import search_images

    cat = archive["animal_cat_chelsea.jpg"]
    assert search_images("a cat", limit=1)[0].image.pk == cat
    with django_capture_on_commit_callbacks(execute=True):
        Image.objects.get(pk=cat).delete()
    tasks.drain_index_outbox()  # the task the delete queued, as the worker runs it
    assert cat not in opensearch_archive.ids()
    assert cat not in [r.image.pk for r in search_images("a cat", limit=10)]


@pytest.mark.django_db
def test_reconcile_repairs_a_corrupted_index(opensearch_archive):
    from cms_images.models import Image

    index = opensearch_archive
    client, alias = index.client, index.alias
    ids = sorted(index.ids())
    for doc_id in ids[:2]:  # missing
        client.delete(index=alias, id=str(doc_id), refresh=True)
    index.upsert(random_docs(1, start=987_654))  # orphaned
    Image.objects.filter(pk=ids[2]).update(rights="forbidden")  # stale: the DB changed
    old = IndexDocument(ids[3], random_docs(1)[0].vector, {"caption": "an old caption"})
    index.upsert([old])  # stale: an old version in the index
    client.update(  # changed behind our back: its stored fingerprint no longer fits
        index=alias, id=str(ids[4]), body={"doc": {"rights": "forbidden"}}, refresh=True
    )

    def reconcile(**options) -> str:
        out = StringIO()
        call_command("reconcile", stdout=out, **options)
        return out.getvalue()

    assert "2 missing, 2 stale, 1 orphaned" in reconcile(dry_run=True)
    assert "2 missing, 3 stale, 1 orphaned" in reconcile(dry_run=True, deep=True)
    assert "Repaired: 5 indexed, 1 removed" in reconcile(deep=True)
    assert "0 missing, 0 stale, 0 orphaned" in reconcile(deep=True)
    forbidden = index.search(
        SearchQuery(vectors=[index.vector(ids[2])], filters=Filters(rights_in={"forbidden"}))
    )
    assert [h.id for h in forbidden] == [ids[2]]


@pytest.mark.django_db
def test_system_check_warns_until_reconcile_rebuilds_a_stale_index(archive, settings):
    from django.core.checks import run_checks

    from photodesk.checks import check_opensearch

    require_node()

    def warnings() -> list[str]:
        return [message.id for message in check_opensearch(None)]

    alias = new_alias()
    try:
        use_opensearch(settings, alias, OPENSEARCH_URL="http://127.0.0.1:9")
        assert warnings() == ["photodesk.W010"]  # unreachable
        # A network call: not before every manage.py command, only with check --deploy.
        assert [m.id for m in run_checks(tags=["photodesk_index"])] == []
        deploy = run_checks(tags=["photodesk_index"], include_deployment_checks=True)
        assert [m.id for m in deploy] == ["photodesk.W010"]
        use_opensearch(settings, alias, OPENSEARCH_HNSW_M=16)
        assert warnings() == ["photodesk.W011"]  # no index yet
        make_index(alias, hnsw_m=8).upsert(random_docs(2))  # built by other code (another m)
        assert warnings() == ["photodesk.W012"]
        out = StringIO()
        call_command("reconcile", stdout=out)
        assert "must be rebuilt" in out.getvalue()
        assert warnings() == []
        assert get_index().mapping_problems() == []
        assert get_index().count() == len(archive)
    finally:
        drop(alias)
    assert OPENSEARCH_URL  # the real node was used for everything but W010


def test_stored_vectors_read_back_bit_for_bit_and_only_where_there_is_one(index):
    """Diversity and the similarity to several query vectors read the candidates' vectors
    (base64 float32 from the doc values): exactly what was written; a document without a
    vector or not in the index is left out."""
    docs = random_docs(60)
    empty = IndexDocument(61, np.zeros(DIMENSION, np.float32), {"caption": "no evidence"})
    index.upsert([*docs, empty])
    found = index.vectors([d.id for d in docs] + [61, 999])
    assert set(found) == {d.id for d in docs}
    for doc in docs:
        assert found[doc.id].dtype == np.float32
        np.testing.assert_array_equal(found[doc.id], doc.vector)
    assert index.vector(61) is None and index.vector(999) is None
