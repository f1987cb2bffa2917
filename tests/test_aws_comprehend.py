"""Comprehend as the entity provider for articles: BatchDetectEntities in batches of 25
documents of at most 5 KB, types mapped onto spaCy's, throttling retried, refusals clear."""

from __future__ import annotations

import pytest

from photodesk.aws import budget
from photodesk.aws.calls import ProviderRefused
from photodesk.search.text.entities_aws import Entity, chunks, entities, entities_batch

from .aws_support import AWS_TEST_SETTINGS, batch_detect_entities, stubbed, throttle


@pytest.fixture(autouse=True)
def aws(settings):
    settings.PHOTODESK = {**settings.PHOTODESK, **AWS_TEST_SETTINGS}


def test_texts_are_cut_under_5000_bytes_at_sentence_ends_without_losing_a_word():
    sentence = "Zoë Kravitz met the mayor of Göteborg at the Ullevi stadium on Tuesday. "
    text = sentence * 200 + "x" * 12_000  # multi-byte letters, and one enormous "word"
    pieces = chunks(text)
    assert all(len(p.encode()) <= 5000 for p in pieces)
    assert all(p.endswith("Tuesday.") for p in pieces[:2])  # cut between sentences
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert chunks("   ") == []


def test_many_texts_share_batches_of_25_and_entities_go_back_to_their_text():
    article = "Angela Merkel spoke in Berlin. " * 330  # ~10 KB: 3 chunks
    texts = [article] + [f"Short note {i} about NASA." for i in range(25)]  # 28 chunks
    first = [[("Angela Merkel", "PERSON", 0.99), ("Berlin", "LOCATION", 0.98)]] * 3 + [
        [("NASA", "ORGANIZATION", 0.97), ("Tuesday", "DATE", 0.99)]
    ] * 22
    second = [[("NASA", "ORGANIZATION", 0.97), ("maybe", "PERSON", 0.2)]] * 3
    with stubbed("comprehend") as stubs, budget.limited(None) as counted:
        stub = stubs["comprehend"]
        throttle(stub, "batch_detect_entities")  # the first batch is throttled once
        stub.add_response("batch_detect_entities", batch_detect_entities(*first))
        stub.add_response(
            "batch_detect_entities",
            batch_detect_entities(*second),
            {"TextList": texts[-3:], "LanguageCode": "en"},
        )
        found = entities_batch(texts)
    assert counted.used == {"comprehend:BatchDetectEntities": 2}
    assert found[0] == [Entity("Angela Merkel", "PERSON"), Entity("Berlin", "GPE")]  # deduped
    assert all(f == [Entity("NASA", "ORG")] for f in found[1:])  # dates, low scores left out
    assert found[0][0].text == "Angela Merkel" and tuple(found[0][1]) == ("Berlin", "GPE")


def test_one_text_and_an_access_denied_error():
    with stubbed("comprehend") as stubs:
        stubs["comprehend"].add_response(
            "batch_detect_entities",
            batch_detect_entities([("European Union", "ORGANIZATION", 0.95)]),
        )
        assert entities("The European Union met.") == [("European Union", "ORG")]
        assert entities("  ") == []  # nothing sent
        stubs["comprehend"].add_client_error(
            "batch_detect_entities",
            service_error_code="AccessDeniedException",
            service_message="not authorized to perform: comprehend:BatchDetectEntities",
        )
        with pytest.raises(ProviderRefused, match="comprehend:BatchDetectEntities refused"):
            entities("Anything.")


def test_articles_are_read_by_comprehend_when_the_site_chooses_it(settings):
    from photodesk.search.text.query import build_article_query

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ENTITY_FUNCTION": "photodesk.search.text.entities_aws.entities",
    }
    with stubbed("comprehend") as stubs:
        stubs["comprehend"].add_response(
            "batch_detect_entities",
            batch_detect_entities(
                [("Werner Vogels", "PERSON", 0.99), ("Toyota", "ORGANIZATION", 0.98)]
            ),
        )
        query = build_article_query("A visit", "Werner Vogels visited Toyota.")
    assert query.entities == [("Werner Vogels", "PERSON"), ("Toyota", "ORG")]
    assert "Werner Vogels" in query.keywords and "Toyota" in query.keywords
