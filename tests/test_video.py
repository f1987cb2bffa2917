"""Video in the archive: a video generated from the demo photos (five shots of three seconds;
the named astronaut in shots 2 and 4, a coffee cup in shot 3, a headline in shot 5) is
analysed once for the module with the real models, into an index of its own."""

from __future__ import annotations

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.test import override_settings

from .conftest import DEMO_PHOTOS, need
from .face_fixtures import FAST_ANALYZERS
from .video_fixtures import PERSON_PHOTO, SHOTS, make_video, shot_times

pytest.importorskip("av")

PERSON_NAME = "Eileen Collins"


@pytest.fixture(scope="module")
def analysed_video(django_db_setup, django_db_blocker, tmp_path_factory):
    """(video, analysis, person), committed for the module and removed after it."""
    need(DEMO_PHOTOS.is_dir(), f"{DEMO_PHOTOS} is missing")
    from django.conf import settings

    from photodesk import tasks
    from photodesk.host import get_image_model, get_video_model
    from photodesk.models import Face, Person

    root = tmp_path_factory.mktemp("video")
    path = make_video(root / "clip.mp4")
    conf = {**settings.PHOTODESK, "INDEX_PATH": root / "index"}
    with django_db_blocker.unblock(), override_settings(PHOTODESK=conf):
        # The person is known from one still: their face, confirmed by a person.
        with override_settings(PHOTODESK={**conf, "ANALYZERS": FAST_ANALYZERS}):
            still = get_image_model()(title="Eileen Collins, astronaut")
            with (DEMO_PHOTOS / PERSON_PHOTO).open("rb") as fh:
                still.file.save("video-person.jpg", File(fh), save=True)
            tasks.analyze_now(still)
        person = Person.objects.create(name=PERSON_NAME)
        Face.objects.filter(image=still).update(person=person, state=Face.State.CONFIRMED)
        video = get_video_model()(title="Evening news")
        with path.open("rb") as fh:
            video.file.save("clip.mp4", File(fh), save=True)
        analysis = tasks.analyze_video_now(video)
        video.index_path = root / "index"
        try:
            yield video, analysis, person
        finally:
            video.delete()
            still.delete()
            person.delete()


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


def test_a_query_for_shot_3_returns_the_video_at_that_moment(analysed_video, db, settings):
    video, _, _ = analysed_video
    from photodesk.search.video import search_videos

    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": video.index_path}
    results = search_videos("a cup of coffee", limit=5)
    assert results and results[0].video.pk == video.pk
    start, end = shot_times()[2]
    assert start - 1 <= results[0].at <= end + 1
    assert "at 00:0" in results[0].moment_text


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
