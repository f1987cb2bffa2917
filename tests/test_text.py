"""Article understanding: entities, summary, key phrases, query texts (real spaCy model)."""

from __future__ import annotations

from photodesk.search.text.entities import entities
from photodesk.search.text.keyphrases import key_phrases
from photodesk.search.text.query import MAX_QUERIES, MAX_QUERY_WORDS, build_article_query
from photodesk.search.text.summary import summary_sentences

LONG_BODY = " ".join(
    [
        "The city council approved a plan on Tuesday to rebuild the harbour bridge.",
        "Engineers found cracks in the bridge's steel supports last winter.",
        "The bridge carries forty thousand cars and lorries across the harbour every day.",
        "Shop owners near the harbour said the closure would cost them customers.",
        "The council will run extra ferries across the harbour while the bridge is closed.",
        "Work on the new bridge starts in March and should finish within two years.",
        "A council spokesperson said the old bridge would be taken down in stages.",
    ]
)


def test_entities_are_people_organisations_and_places():
    found = {(e.text, e.kind) for e in entities("Werner Vogels visited Toyota in Tokyo.")}
    assert ("Werner Vogels", "PERSON") in found
    assert ("Toyota", "ORG") in found
    assert ("Tokyo", "GPE") in found
    assert entities("   ") == []


def test_a_long_body_is_summarised_by_its_own_sentences_in_order():
    summary = summary_sentences(LONG_BODY, count=3)
    assert len(summary) == 3
    assert all(sentence in LONG_BODY for sentence in summary)
    positions = [LONG_BODY.index(sentence) for sentence in summary]
    assert positions == sorted(positions)


def test_a_short_body_is_its_own_summary():
    assert summary_sentences("One sentence only.") == ["One sentence only."]


def test_key_phrases_of_a_long_text_name_its_subject():
    phrases = key_phrases(LONG_BODY)
    assert phrases and any("bridge" in p or "harbour" in p for p in phrases[:3])
    assert key_phrases("Too short to rank.") == []


def test_query_texts_fit_the_model_window_and_names_reach_the_keywords():
    body = (LONG_BODY + " ") * 6 + "Mayor Anne Hidalgo of Paris sent her support."
    built = build_article_query("Harbour bridge to be rebuilt", body)
    assert 2 <= len(built.texts) <= MAX_QUERIES
    assert all(len(text.split()) <= MAX_QUERY_WORDS for text in built.texts)
    assert built.texts[0].startswith("Harbour bridge to be rebuilt")
    assert "Anne Hidalgo" in built.names("PERSON")
    assert "Anne Hidalgo" in built.keywords
    # A very long body does not become a very long keyword query.
    assert len(built.keywords.split()) < len(body.split()) / 2


def test_sentences_do_not_end_at_abbreviations_and_keep_quotations():
    from photodesk.search.text.sentences import sentences

    text = (
        'Dr. Smith met U.S. officials on Jan. 5 in Washington. Was it useful? "Yes," he said. '
        "Mr. Jones disagreed."
    )
    assert sentences(text) == [
        "Dr. Smith met U.S. officials on Jan. 5 in Washington.",
        "Was it useful?",
        '"Yes," he said.',
        "Mr. Jones disagreed.",
    ]


def test_an_article_body_is_split_from_the_parse_its_entities_come_from():
    from photodesk.search.text.entities import entities, parse
    from photodesk.search.text.sentences import sentences

    title, body = "Harbour bridge to close", "Dr. Ana Lima leads the works. Ferries will run."
    article = f"{title}.\n{body}"
    parse.cache_clear()
    assert sentences(article, start=len(title) + 2) == [
        "Dr. Ana Lima leads the works.",
        "Ferries will run.",
    ]
    assert "Ana Lima" in [e.text for e in entities(article)]
    assert parse.cache_info().misses == 1


def test_a_long_body_is_read_through_its_lead_and_passages_from_all_of_it():
    from photodesk.search.text.sample import MAX_CHARS, sample_text

    paragraphs = [f"Paragraph {n} tells of the harbour bridge works." for n in range(5000)]
    body = "\n".join(paragraphs)
    sampled = sample_text(body)
    assert len(sampled) <= MAX_CHARS
    assert sampled.startswith("Paragraph 0 tells")
    numbers = [int(line.split()[1]) for line in sampled.split("\n") if line]
    assert any(2000 < n < 3000 for n in numbers) and max(numbers) > 4000  # middle and end
    assert sample_text("A short story.") == "A short story."


def test_a_huge_body_of_distinct_words_costs_a_bounded_query():
    import random
    import time
    import tracemalloc

    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghij") for _ in range(8)) for _ in range(22_000)]
    body = " ".join(words)[:200_000]  # the longest body the API and the panel accept
    tracemalloc.start()
    started = time.perf_counter()
    built = build_article_query("Harbour bridge", body)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert built.texts and len(built.keywords.split()) <= 500
    assert peak < 100 * 2**20 and seconds < 5  # summa's TextRank: 22 GB, killed


def test_key_phrases_of_a_long_article_come_from_its_whole_sample():
    body = (LONG_BODY + " ") * 300
    phrases = key_phrases(body)
    assert phrases and any("bridge" in p or "harbour" in p for p in phrases[:3])
