"""Video in the archive: a video generated from the demo photos (five shots of three seconds;
the named astronaut in shots 2 and 4, a coffee cup in shot 3, a headline in shot 5) is
analysed once for the module with the real models, into an index of its own."""

from __future__ import annotations

import re

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.test import override_settings

from photodesk.analysis.video.timeline import clock

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS, need
from .video_fixtures import PERSON_PHOTO, SHOTS, make_video, name_person_from_still, shot_times

pytest.importorskip("av")

PERSON_NAME = "Eileen Collins"


@pytest.fixture(scope="module")
def analysed_video(django_db_setup, django_db_blocker, tmp_path_factory):
    """(video, analysis, person), committed for the module and removed after it: nothing is
    queued (analysed inline), nothing lent or borrowed, and what was added goes again (the
    other modules see the session's archive as it was)."""
    need(DEMO_PHOTOS.is_dir(), f"{DEMO_PHOTOS} is missing")
    from django.conf import settings
    from django_q.models import OrmQ

    from photodesk import tasks
    from photodesk.host import get_video_model
    from photodesk.models import FaceCluster

    root = tmp_path_factory.mktemp("video")
    path = make_video(root / "clip.mp4")
    conf = {
        **settings.PHOTODESK,
        "INDEX_PATH": root / "index",
        "ANALYZE_SYNC": True,
        "BORROW_WORDS": False,
    }
    with django_db_blocker.unblock(), override_settings(PHOTODESK=conf):
        queued = OrmQ.objects.values_list("pk", flat=True)
        clusters = FaceCluster.objects.values_list("pk", flat=True)
        before = (max(queued, default=0), max(clusters, default=0))
        # The person is known from one still: their face, confirmed by a person.
        still, person = name_person_from_still(PERSON_NAME)
        video = get_video_model()(title="Evening news")
        with path.open("rb") as fh:
            video.file.save("clip.mp4", File(fh), save=True)  # analysed as it commits
        analysis = tasks.analyze_video_now(video)  # already current: nothing runs again
        video.index_path = root / "index"
        try:
            yield video, analysis, person
        finally:
            video.delete()
            still.delete()
            person.delete()
            OrmQ.objects.filter(pk__gt=before[0]).delete()
            FaceCluster.objects.filter(pk__gt=before[1]).delete()


def test_the_shots_are_found_with_their_times(analysed_video, db):
    _, analysis, _ = analysed_video
    assert analysis.status == "done", analysis.error
    shots = list(analysis.shots.order_by("number"))
    starts = [s.start for s in shots if s.number == 0 or s.shot != shots[s.number - 1].shot]
    assert len(starts) == len(SHOTS)
    for found, (start, _) in zip(starts, shot_times(), strict=True):
        assert abs(found - start) < 0.5
    assert analysis.duration == pytest.approx(15.0, abs=0.2)
    assert analysis.frames_analysed == len(shots)
    assert all(s.thumbnail and s.vector is not None for s in shots)


def test_the_named_persons_intervals_match_the_shots_they_are_in(analysed_video, db):
    _, analysis, person = analysed_video
    spans = [(s.start, s.end) for s in analysis.people.filter(person=person)]
    expected = [shot_times()[1], shot_times()[3]]
    assert len(spans) == 2, spans
    for (start, end), (want_start, want_end) in zip(spans, expected, strict=True):
        assert abs(start - want_start) < 1.0 and abs(end - want_end) < 1.0


def test_text_on_screen_is_stored_with_its_time(analysed_video, db):
    _, analysis, _ = analysed_video
    texts = list(analysis.texts.all())
    assert any("HARBOUR" in t.text.upper() for t in texts), [t.text for t in texts]
    found = next(t for t in texts if "HARBOUR" in t.text.upper())
    assert abs(found.start - shot_times()[4][0]) < 1.0


def test_labels_have_time_ranges_with_their_best_confidence(analysed_video, db):
    _, analysis, _ = analysed_video
    ranges = list(analysis.labels.all())
    assert ranges
    for r in ranges:
        assert 0 <= r.start < r.end <= analysis.duration + 0.01
        assert r.start <= r.best_time <= r.end
    cat = [r for r in ranges if "cat" in r.name.lower()]
    assert cat and cat[0].start < 1.0 and cat[0].end < 4.0


@pytest.fixture(params=["embedded", "opensearch"])
def video_backend(request, analysed_video, settings, tmp_path):
    """The module's video (and the person's still) indexed in a fresh index of each backend."""
    video, analysis, _ = analysed_video
    conf = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    if request.param == "opensearch":
        from .opensearch_support import drop, new_alias, require_node

        alias = new_alias()
        conf.update(
            INDEX_BACKEND="photodesk.search.index.opensearch.OpenSearchIndex",
            OPENSEARCH_URL=require_node(),
            OPENSEARCH_INDEX=alias,
        )
        request.addfinalizer(lambda: drop(alias))
    settings.PHOTODESK = conf
    from photodesk import indexing
    from photodesk.models import ImageAnalysis

    indexing.index_video(video, analysis)
    analysis.refresh_from_db()
    for image_analysis in ImageAnalysis.objects.indexable().select_related("image"):
        indexing.index_image(image_analysis.image, image_analysis)
    return request.param


def test_a_query_for_shot_3_returns_the_video_at_that_moment(analysed_video, video_backend, db):
    video, _, _ = analysed_video
    from photodesk.search.video import search_videos

    results = search_videos("a cup of coffee", limit=5)
    assert results and results[0].video.pk == video.pk
    start, end = shot_times()[2]
    assert start - 1 <= results[0].at <= end
    assert results[0].moment_text.startswith("at 00:0")
    assert " — looks like " in results[0].moment_text
    assert results[0].as_dict()["file_url"].endswith(f"#t={results[0].at:.1f}")


COFFEE_ARTICLE = {
    "title": "The city's cafés count their espresso cups",
    "body": (
        "Baristas say a cup of coffee costs more this year. In the old town the morning "
        "espresso is served in a white cup on a saucer, as it has been for decades."
    ),
}


def test_suggestions_for_an_article_offer_the_shot_it_is_about(analysed_video, video_backend, db):
    video, _, _ = analysed_video
    from photodesk.search.video import suggest_videos_for_text, videos_in_suggestions

    assert videos_in_suggestions()  # the extra, a video model and an analysed video
    results = suggest_videos_for_text(**COFFEE_ARTICLE)
    assert results and results[0].video.pk == video.pk
    start, end = shot_times()[2]
    assert start - 0.5 <= results[0].at < end  # the coffee cup's shot
    card = results[0].as_dict()
    assert card["range"] == f"{clock(results[0].at)}–{clock(results[0].shot.end)}"
    assert card["timeline_url"].endswith(f"/change/#t={results[0].at:.1f}")
    assert start - 0.5 <= card["frame"] <= end


def test_the_suggest_panel_answers_video_shots_beside_the_photos(
    analysed_video, video_backend, admin_client, settings
):
    from django.urls import reverse

    video, _, _ = analysed_video
    url = reverse("admin:cms_images_article_suggest")
    payload = admin_client.post(url, COFFEE_ARTICLE).json()
    assert payload["videos"] and payload["videos"][0]["id"] == video.pk
    assert payload["videos"][0]["range"].startswith("00:0")
    settings.PHOTODESK = {**settings.PHOTODESK, "SUGGEST_VIDEOS": False}
    payload = admin_client.post(url, COFFEE_ARTICLE).json()
    assert payload["videos"] == [] and payload["results"]  # photos as before


def test_media_filters_keep_images_and_videos_apart(analysed_video, video_backend, db):
    from photodesk.search.index import Filters, SearchQuery, get_index
    from photodesk.search.index.base import is_video_doc, video_doc_id
    from photodesk.search.video import search_media

    video, analysis, _ = analysed_video
    index = get_index()
    assert {video_doc_id(video.pk, n) for n in range(analysis.shots.count())} <= index.ids()
    vector = index.vector(video_doc_id(video.pk, 1))

    def ids(media):
        query = SearchQuery(vectors=[vector], filters=Filters(media=media), limit=50)
        return [hit.id for hit in index.search(query)]

    assert ids("video") and all(is_video_doc(i) for i in ids("video"))
    assert ids("image") and not any(is_video_doc(i) for i in ids("image"))
    assert set(ids(None)) >= set(ids("video"))
    # Image search and suggestions stay images only unless asked.
    assert not any(is_video_doc(i) for i in ids(Filters().media))
    kinds = {item["kind"] for item in search_media("astronaut", limit=20)}
    assert kinds == {"image", "video"}
    assert {item["kind"] for item in search_media("astronaut", media="video")} == {"video"}


def test_videos_with_a_person_say_when_they_are_on_screen(analysed_video, db):
    from photodesk.search.video import videos_with

    video, _, person = analysed_video
    found = videos_with(person)
    assert [f.video.pk for f in found] == [video.pk]
    assert re.fullmatch(r"at 00:0[23]–00:0[56], 00:0[89]–00:1[12]", found[0].text), found[0].text


def test_deleting_a_video_removes_its_shots_from_the_index(db, analysed_video, settings, tmp_path):
    from photodesk import indexing, tasks
    from photodesk.search.index import get_index
    from photodesk.search.index.base import video_doc_id

    video, analysis, _ = analysed_video
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    indexing.index_video(video, analysis)
    shot_ids = {video_doc_id(video.pk, n) for n in range(analysis.shots.count())}
    assert shot_ids <= get_index().ids()
    tasks.remove_video(video.pk)  # what deleting the video queues after commit
    assert not shot_ids & get_index().ids()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"not a video at all" * 100, "not a video"),
    ],
)
def test_a_file_that_is_not_a_video_fails_clearly_and_stores_nothing(db, content, message):
    from photodesk import tasks
    from photodesk.host import get_video_model
    from photodesk.models import VideoShot

    video = get_video_model()(title="broken")
    video.file.save("broken.mp4", ContentFile(content), save=True)
    analysis = tasks.analyze_video_now(video)
    assert analysis.status == "failed"
    assert message in analysis.error
    assert not VideoShot.objects.filter(analysis=analysis).exists()


def test_a_truncated_video_fails_clearly_and_stores_nothing(db, tmp_path):
    from photodesk import tasks
    from photodesk.host import get_video_model
    from photodesk.models import VideoShot

    whole = make_video(tmp_path / "whole.mkv", SHOTS[:2], container="matroska").read_bytes()
    video = get_video_model()(title="cut short")
    video.file.save("cut.mkv", ContentFile(whole[: len(whole) // 2]), save=True)
    analysis = tasks.analyze_video_now(video)
    assert analysis.status == "failed"
    assert "truncated" in analysis.error or "damaged" in analysis.error, analysis.error
    assert not VideoShot.objects.filter(analysis=analysis).exists()


def test_a_video_over_the_duration_limit_is_refused(db, settings, tmp_path):
    from photodesk import tasks
    from photodesk.host import get_video_model

    settings.PHOTODESK = {**settings.PHOTODESK, "VIDEO_MAX_SECONDS": 5}
    video = get_video_model()(title="long")
    with make_video(tmp_path / "long.mp4", SHOTS[:3]).open("rb") as fh:
        video.file.save("long.mp4", File(fh), save=True)
    analysis = tasks.analyze_video_now(video)
    assert analysis.status == "failed"
    assert "limit is 0 minutes" in analysis.error or "the limit" in analysis.error


def test_reindex_and_reconcile_keep_the_videos_shots(db, analysed_video, settings, tmp_path):
    from django.core.management import call_command

    from photodesk.search.index import get_index
    from photodesk.search.index.base import video_doc_id

    video, analysis, _ = analysed_video
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    call_command("reindex", no_progress=True)
    shot_ids = {video_doc_id(video.pk, n) for n in range(analysis.shots.count())}
    assert shot_ids <= get_index().ids()
    get_index().delete([video_doc_id(video.pk, 0)])
    call_command("reconcile")
    assert shot_ids <= get_index().ids()


# --- the REST API ---


def test_the_api_gives_a_video_with_its_timed_facts_and_finds_it(analysed_video, api, settings):
    video, analysis, person = analysed_video
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": video.index_path}
    journalist = api("journalist")
    body = journalist.get(f"/api/v1/videos/{video.pk}/").json()
    assert body["status"] == "done" and body["duration"] == pytest.approx(15.0, abs=0.2)
    assert len({s["shot"] for s in body["shots"]}) == len(SHOTS)
    assert [p["name"] for p in body["people"]] == [PERSON_NAME, PERSON_NAME]
    assert any("HARBOUR" in t["text"].upper() for t in body["texts"])
    found = journalist.get("/api/v1/videos/search/", {"q": "a cup of coffee"}).json()
    first = found["results"][0]
    assert first["id"] == video.pk and first["moment"].startswith("at 00:0")
    assert api("nobody").get(f"/api/v1/videos/{video.pk}/").status_code == 403
    with_person = journalist.get(f"/api/v1/people/{person.pk}/videos/").json()["results"]
    assert [row["id"] for row in with_person] == [video.pk]
    assert len(with_person[0]["spans"]) == 2 and with_person[0]["text"].startswith("at 00:0")
    assert journalist.get("/api/v1/videos/search/").status_code == 400


def test_an_upload_is_accepted_and_a_file_that_is_not_a_video_refused(api, tmp_path, settings):
    from photodesk.host import get_video_model

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ["photodesk.analysis.analyzers.labels.LabelAnalyzer"],
    }
    journalist, model = api("journalist"), get_video_model()
    before = model.objects.count()
    fake = ContentFile(b"\x00\x00\x00\x18ftypmp42 but nothing else" * 10, name="clip.mp4")
    refused = journalist.post("/api/v1/videos/", {"file": fake}, format="multipart")
    assert refused.status_code == 400
    assert "not a video" in refused.json()["file"][0] or "decoded" in refused.json()["file"][0]
    assert model.objects.count() == before
    path = make_video(tmp_path / "upload.mov", SHOTS[:1])
    with path.open("rb") as fh:
        accepted = journalist.post(
            "/api/v1/videos/", {"file": fh, "title": "Cat"}, format="multipart"
        )
    assert accepted.status_code == 202, accepted.content
    assert accepted["Location"].endswith(f"/api/v1/videos/{accepted.json()['id']}/")
    assert accepted.json()["status"] == "pending"


def test_ingest_finds_videos_by_content_not_by_name(
    db, tmp_path, settings, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    from photodesk.host import get_video_model
    from photodesk.models import VideoAnalysis

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path / "index",
        "ANALYZERS": ["photodesk.analysis.analyzers.labels.LabelAnalyzer"],
        "ANALYZE_SYNC": True,  # the test's transaction runs the commit callbacks at its end
    }
    folder = tmp_path / "incoming"
    folder.mkdir()
    make_video(folder / "footage.bin", SHOTS[:1])  # an MP4 whatever its name says
    (folder / "notes.mp4").write_text("not a video, whatever its name says")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(folder), sync=True, no_progress=True, stdout=out)
    assert "Videos: added 1, skipped 0 already present, 0 failed." in out.getvalue()
    video = get_video_model().objects.get(original_filename="footage.bin")
    assert video.original_filename == "footage.bin"
    assert VideoAnalysis.objects.get(video_id=video.pk).status == "done"
    call_command("ingest", str(folder), sync=True, no_progress=True, stdout=out)
    assert "Videos: added 0, skipped 1 already present" in out.getvalue()


def test_frames_analysed_in_a_batch_get_the_facts_they_get_one_by_one(db):
    """The classifiers' batch dimension changes nothing but the speed."""
    from PIL import Image

    from photodesk.analysis.analyzers.base import Photo
    from photodesk.analysis.analyzers.labels import LabelAnalyzer
    from photodesk.analysis.analyzers.safety import SafetyAnalyzer

    names = ["animal_cat_chelsea.jpg", "food_coffee_cup.jpg", PERSON_PHOTO]
    pictures = [Image.open(DEMO_PHOTOS / name).convert("RGB") for name in names]
    photos = [Photo(pixels=p, source=p) for p in pictures]
    for analyzer in (LabelAnalyzer(), SafetyAnalyzer()):
        one_by_one = [analyzer.analyze(photo) for photo in photos]
        batched = analyzer.analyze_batch(photos)
        for alone, together in zip(one_by_one, batched, strict=True):
            if "labels" in alone:
                assert [d["name"] for d in alone["labels"][:5]] == [
                    d["name"] for d in together["labels"][:5]
                ]
                for a, b in zip(alone["labels"], together["labels"], strict=True):
                    assert a["confidence"] == pytest.approx(b["confidence"], abs=0.2)
            else:
                assert alone["safety_score"] == pytest.approx(together["safety_score"], abs=1e-3)
