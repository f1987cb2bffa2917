"""Images, analysis jobs, search and suggestions through the API, on the session demo archive
(real models, real index). Writes happen in the test's transaction and are rolled back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from photodesk.models import Face, ImageAnalysis, ImageLabel, Label, Person
from photodesk.signal_handlers import refresh_after_commit

from .api_support import *  # noqa: F403
from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db

IMAGES = reverse("photodesk-api:image-list")
SEARCH = reverse("photodesk-api:search")


def detail(pk: int) -> str:
    return reverse("photodesk-api:image-detail", args=[pk])


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_list_is_paginated_and_filters_by_label_confidence_state_and_date(archive, api):
    client = api("journalist")
    page = client.get(IMAGES, {"page_size": 10}).json()
    assert page["count"] == len(archive) and len(page["results"]) == 10 and page["next"]
    cat = archive["animal_cat_chelsea.jpg"]
    assert cat in ids(client.get(IMAGES, {"label": "cat"}))
    row = ImageLabel.objects.visible().filter(confidence__lt=99).select_related("label").first()
    name, conf = row.label.name, row.confidence
    assert row.image_id in ids(client.get(IMAGES, {"label": name, "min_confidence": conf}))
    above = ids(client.get(IMAGES, {"label": name, "min_confidence": conf + 0.5}))
    assert row.image_id not in above
    assert len(ids(client.get(IMAGES, {"status": "done", "page_size": 100}))) == len(archive)
    assert ids(client.get(IMAGES, {"status": "failed"})) == []
    assert ids(client.get(IMAGES, {"created_after": "2999-01-01T00:00:00Z"})) == []
    flagged = set(ImageAnalysis.objects.filter(flagged=True).values_list("image_id", flat=True))
    assert set(ids(client.get(IMAGES, {"flagged": "true", "page_size": 100}))) == flagged
    assert not flagged & set(ids(client.get(IMAGES, {"flagged": "false", "page_size": 100})))


def test_bad_filters_are_refused_with_the_field_named(archive, api):
    client = api("journalist")
    assert client.get(IMAGES, {"min_confidence": 50}).json() == {
        "min_confidence": ["Give a label with it."]
    }
    assert "status" in client.get(IMAGES, {"status": "finished"}).json()
    assert "created_after" in client.get(IMAGES, {"created_after": "yesterday"}).json()
    assert client.get(IMAGES, {"page": 999}).status_code == 404


def test_person_filter_and_the_facts_of_one_image(archive, api):
    client = api("journalist")
    pk = archive["people_astronaut_eileen_collins.jpg"]
    person = Person.objects.create(name="Eileen Collins", aliases=["Eileen Marie Collins"])
    Face.objects.create(
        image_id=pk, box=[1, 2, 30, 40], detection_confidence=0.9, person=person, state="confirmed"
    )
    Face.objects.create(
        image_id=archive["sklearn_china.jpg"],
        box=[0, 0, 9, 9],
        detection_confidence=0.5,
        person=person,
        state="review",
    )  # undecided
    assert ids(client.get(IMAGES, {"person": "eileen marie collins"})) == [pk]
    assert ids(client.get(IMAGES, {"person": str(person.pk)})) == [pk]
    # Digits that are not ASCII are a name (none matches), not an id that fails to parse.
    assert ids(client.get(IMAGES, {"person": "²"})) == []

    facts = client.get(detail(pk)).json()
    assert facts["people"] == [{"id": person.pk, "name": "Eileen Collins"}]
    named = [face for face in facts["faces"] if face["person"]]  # (the detector's are unnamed)
    assert [face["person"]["name"] for face in named] == ["Eileen Collins"]
    assert named[0]["box"] == [1, 2, 30, 40] and named[0]["state"] == "confirmed"
    assert facts["analysis"]["status"] == "done" and facts["analysis"]["timings"]
    assert {"score", "flagged"} == set(facts["safety"])
    assert set(facts["text"]) == {"text", "lines"}
    assert isinstance(facts["metadata"], dict) and facts["description"]
    labels = facts["labels"]
    assert labels and {"name", "confidence", "state", "source"} <= set(labels[0])
    states = {row["state"] for row in labels}
    assert states <= {"auto", "review", "accepted", "rejected"}


def test_editing_metadata_and_deleting(
    archive, api, settings, tmp_path, separate_index, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    image = make_image(jpeg_bytes(), name="to-edit.jpg")
    reviewer, admin = api("reviewer"), api("admin")
    edited = reviewer.patch(detail(image.pk), {"caption": "Harbour at dawn", "rights": "forbidden"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["caption"] == "Harbour at dawn"
    image.refresh_from_db()
    assert (image.caption, image.rights) == ("Harbour at dawn", "forbidden")
    bad = reviewer.patch(detail(image.pk), {"rights": "whatever"})
    assert bad.status_code == 400 and "rights" in bad.json()
    path = Path(image.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.delete(detail(image.pk)).status_code == 204
    assert not type(image).objects.filter(pk=image.pk).exists()
    assert not path.exists()


def test_analysis_jobs_list_filter_and_rerun(archive, api):
    from django_q.models import OrmQ

    client = api("reviewer")
    done = client.get(reverse("photodesk-api:analysis-list"), {"status": "done"}).json()
    assert done["count"] == len(archive)
    pk = archive["food_coffee_cup.jpg"]
    job = client.get(reverse("photodesk-api:analysis-detail", args=[pk])).json()
    assert job["status"] == "done" and job["image"] == pk and job["model_versions"]
    rerun = client.post(reverse("photodesk-api:analysis-rerun", args=[pk]))
    assert rerun.status_code == 202 and rerun.json()["status"] == "pending"
    assert OrmQ.objects.count() == 1  # queued for the worker, forced (the file did not change)
    assert client.get(reverse("photodesk-api:analysis-detail", args=[10**17])).status_code == 404


def test_search_with_filters_similar_and_suggestions(archive, api):
    client = api("journalist")
    cat = archive["animal_cat_chelsea.jpg"]
    found = client.get(SEARCH, {"q": "a cat", "limit": 5}).json()
    assert found["results"][0]["id"] == cat and found["results"][0]["reasons"]
    assert found["results"][0]["url"].endswith(detail(cat))
    only_cats = ids(client.get(SEARCH, {"q": "animal", "label": "cat"}))
    assert only_cats == [cat]
    assert ids(client.get(SEARCH, {"q": "animal", "created_before": "2000-01-01"})) == []
    assert client.get(SEARCH).json() == {"q": ["Say what to search for."]}
    assert "limit" in client.get(SEARCH, {"q": "cat", "limit": 500}).json()

    similar = ids(client.get(reverse("photodesk-api:image-similar", args=[cat]), {"limit": 5}))
    assert similar and cat not in similar

    text = client.post(
        reverse("photodesk-api:suggestions"),
        {"title": "Rocket launch", "body": "SpaceX launched a Falcon 9 rocket."},
        format="json",
    )
    assert archive["science_spacex_falcon9_rocket.jpg"] in ids(text)[:3]
    empty = client.post(reverse("photodesk-api:suggestions"), {"title": " "}, format="json")
    assert empty.status_code == 400

    from cms_images.models import Article

    article = Article.objects.create(title="Coffee prices", body="A cup of coffee costs more.")
    stored = client.get(reverse("photodesk-api:article-suggestions", args=[article.pk]))
    assert archive["food_coffee_cup.jpg"] in ids(stored)[:3]


def test_searches_are_throttled_per_user(archive, api, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "API_SEARCH_RATE": "2/min"}
    client = api("journalist")
    codes = [client.get(SEARCH, {"q": "cat"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert api("reviewer").get(SEARCH, {"q": "cat"}).status_code == 200


def test_review_queue_approve_reject_and_decide_many(
    archive, api, django_capture_on_commit_callbacks
):
    from photodesk.models import LabelDecision

    client = api("reviewer")
    label = Label.objects.create(name="Waterfront test")
    rows = [
        ImageLabel.objects.create(
            image_id=archive[name], label=label, confidence=c, source="test", state="review"
        )
        for name, c in (
            ("animal_cat_chelsea.jpg", 40),
            ("food_coffee_cup.jpg", 30),
            ("sklearn_china.jpg", 25),
        )
    ]
    queue = client.get(reverse("photodesk-api:review-list"), {"label": "Waterfront test"}).json()
    assert [r["id"] for r in queue["results"]] == [r.pk for r in rows]  # most confident first

    approved = client.post(reverse("photodesk-api:review-approve", args=[rows[0].pk])).json()
    assert approved["decided"] == 1 and approved["results"][0]["state"] == "accepted"
    decide = reverse("photodesk-api:review-decide")
    missing = client.post(
        decide, {"ids": [rows[1].pk, 10**15], "decision": "reject"}, format="json"
    )
    assert missing.status_code == 404 and str(10**15) in missing.json()["detail"]
    assert ImageLabel.objects.get(pk=rows[1].pk).state == "review"  # nothing was decided
    with django_capture_on_commit_callbacks() as after_commit:  # not run: session index
        both = client.post(
            decide, {"ids": [rows[1].pk, rows[2].pk], "decision": "reject"}, format="json"
        )
    # The decided images are re-embedded and re-indexed after commit, not before, each once
    # (the test's transaction never commits: the approval above is still pending too).
    assert after_commit and refresh_after_commit.pending == {r.image_id for r in rows}
    assert both.status_code == 200 and both.json()["decided"] == 2
    assert set(
        ImageLabel.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True)
    ) == {"accepted", "rejected"}
    log = LabelDecision.objects.filter(label_name="Waterfront test")
    assert log.count() == 3 and {d.user.username for d in log} == {"reviewer"}
    assert (
        client.get(reverse("photodesk-api:review-list"), {"label": "Waterfront test"}).json()[
            "count"
        ]
        == 0
    )


def test_taxonomy_changes_are_validated(archive, api):
    client = api("admin")
    labels = reverse("photodesk-api:label-list")
    made = client.post(labels, {"name": "Ferries", "synonyms": ["ferry"]}, format="json")
    assert made.status_code == 201 and made.json()["slug"] == "ferries"
    child = client.post(labels, {"name": "Car ferries", "parent": made.json()["id"]}, format="json")
    loop = client.patch(
        reverse("photodesk-api:label-detail", args=[made.json()["id"]]),
        {"parent": child.json()["id"]},
        format="json",
    )
    assert loop.status_code == 400 and loop.json() == {"parent": ["That would make a loop."]}
    thresholds = client.post(
        labels, {"name": "Tugs", "accept_threshold": 30, "review_threshold": 60}, format="json"
    )
    assert thresholds.status_code == 400 and "review_threshold" in thresholds.json()
    duplicate = client.post(labels, {"name": "Ferries"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()


def test_a_label_name_must_make_a_slug_and_slugs_stay_unique(archive, api):
    client = api("admin")
    labels = reverse("photodesk-api:label-list")
    dash = client.post(labels, {"name": "—"}, format="json")
    assert dash.status_code == 400 and "letter or a digit" in dash.json()["name"][0]
    assert client.post(labels, {"name": "Tug boats"}, format="json").status_code == 201
    clash = client.post(labels, {"name": "Tug boats!"}, format="json")
    assert clash.status_code == 400 and "tug-boats" in clash.json()["slug"][0]
