"""Series (bursts): frames of one scene seconds apart are grouped as they arrive, and the best
frame is picked from its parts (sharpness, exposure, face size, eyes open, smile): never the
blurred one, never the one with shut eyes."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from PIL import Image, ImageOps

from photodesk.inference import mediapipe_files
from photodesk.inference.eyes import EyeOpenness

from .burst_frames import close_eyes, frame, motion_blur, save_with_time
from .face_scenes import PEOPLE, SHARED

ANALYZERS = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.labels.LabelAnalyzer",
    "photodesk.analysis.analyzers.faces.FaceAnalyzer",
]
# Where `make install` puts the face mesh for the demo site and the tests.
EYES_DIR = Path(__file__).resolve().parent.parent / "var" / "eyes-model"
START = dt.datetime(2026, 5, 4, 14, 30, 10)
LONE = (
    "eval/images/coco_val2017_000000010092.jpg",
    "eval/images/coco_val2017_000000010363.jpg",
    "eval/images/coco_val2017_000000010764.jpg",
)


@pytest.fixture(scope="session")
def eyes_dir() -> Path:
    """The face mesh, taken once out of the mediapipe wheel that pip downloads."""
    mediapipe_files.fetch(EYES_DIR)
    return EYES_DIR


@pytest.fixture
def series_settings(settings, eyes_dir, separate_index):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ANALYZERS,
        "ANALYZE_SYNC": True,
        "EYES_MODEL_DIR": str(eyes_dir),
    }
    return settings


def ingest(folder: Path) -> dict[str, int]:
    """Ingest a folder as the worker would: after each commit the photo is placed in a series."""
    from django.test import TestCase

    from photodesk.host import get_image_model

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("ingest", str(folder), sync=True, no_progress=True, stdout=StringIO())
    return {
        img.original_filename: img.pk
        for img in get_image_model().objects.filter(
            original_filename__in=[p.name for p in folder.iterdir()]
        )
    }


def burst(folder: Path, person: str, eyes: EyeOpenness, seed: int = 1) -> dict[str, Path]:
    """Five frames of one photo a second apart: three good ones, one blurred, one eyes shut."""
    file, box = PEOPLE[person]
    img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
    rng = random.Random(seed)
    frames = {
        "good1": img,
        "good2": frame(img, rng),
        "blurred": motion_blur(img, 21),
        "shut": close_eyes(img, eyes.points_in_image(img, box)),
        "good3": frame(img, rng),
    }
    folder.mkdir(parents=True, exist_ok=True)
    return {
        name: save_with_time(f, folder / f"{person}_{name}.jpg", START + dt.timedelta(seconds=i))
        for i, (name, f) in enumerate(frames.items())
    }


def test_eye_openness_reads_shut_eyes_lower(eyes_dir):
    eyes = EyeOpenness(eyes_dir)
    for person in ("astronaut", "p2081446176"):
        file, box = PEOPLE[person]
        img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
        open_ = eyes.predict(img, box)
        shut = eyes.predict(close_eyes(img, eyes.points_in_image(img, box)), box)
        assert open_.presence > 0.9
        assert shut.openness < 0.8 * open_.openness, (person, open_, shut)


@pytest.mark.django_db
def test_a_burst_is_one_series_whose_best_frame_is_sharp_with_open_eyes(series_settings, tmp_path):
    from photodesk.models import Series, SeriesMember

    files = burst(
        tmp_path / "burst", "astronaut", EyeOpenness(series_settings.PHOTODESK["EYES_MODEL_DIR"])
    )
    ids = ingest(tmp_path / "burst")
    by_name = {name: ids[path.name] for name, path in files.items()}

    series = Series.objects.get(members__image_id=by_name["good1"])
    members = {m.image_id: m for m in series.members.all()}
    assert {by_name["good1"], by_name["good2"], by_name["good3"], by_name["shut"]} <= set(members)
    assert series.best_id not in {by_name["blurred"], by_name["shut"]}
    assert series.best_id in {by_name["good1"], by_name["good2"], by_name["good3"]}
    assert series.camera == "Canon EOS R6"
    assert series.size == len(members)

    shut = members[by_name["shut"]]
    good = members[by_name["good1"]]
    assert shut.eyes_open < good.eyes_open
    assert shut.score < members[series.best_id].score
    for m in members.values():
        assert set(m.parts()) == set(SeriesMember.PARTS)
        assert m.sharpness is not None and m.exposure is not None and m.face_size is not None
        assert m.measures["eyes_model"] == "mediapipe-face-mesh"
    if by_name["blurred"] in members:
        blurred = members[by_name["blurred"]]
        assert blurred.sharpness < 0.5 * good.sharpness
        assert blurred.score < members[series.best_id].score

    # Deleting frames: the rest are scored again, a new best is picked, one frame is no series.
    from django.test import TestCase

    from photodesk.host import get_image_model
    from photodesk.tasks import analysis_inline

    images = get_image_model().objects
    with analysis_inline(), TestCase.captureOnCommitCallbacks(execute=True):
        images.get(pk=series.best_id).delete()
    series.refresh_from_db()
    assert series.size == len(members) - 1 == series.members.count()
    left = [m.image_id for m in series.members.all()]
    assert series.best_id in left
    with analysis_inline(), TestCase.captureOnCommitCallbacks(execute=True):
        for pk in left[1:]:
            images.get(pk=pk).delete()
    assert not Series.objects.filter(pk=series.pk).exists()
    assert SeriesMember.objects.get(image_id=left[0]).series_id is None


@pytest.mark.django_db
def test_bursts_of_different_photos_are_different_series_and_lone_photos_none(
    series_settings, tmp_path
):
    from photodesk.models import Series, SeriesMember

    rng = random.Random(3)
    folder = tmp_path / "mixed"
    folder.mkdir()
    bursts = {
        "tennis": "eval/images/coco_val2017_000000016598.jpg",
        "boy": "eval/images/flickr8k_2081446176_f97dc76951.jpg",
    }
    for b, (name, file) in enumerate(bursts.items()):
        img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
        for i in range(3):
            shot = img if i == 0 else frame(img, rng)
            # Both bursts by one camera within the time window: only the pictures tell them apart.
            taken = START + dt.timedelta(seconds=b * 5 + i)
            save_with_time(shot, folder / f"{name}{i}.jpg", taken)
    # Distinct photos, no capture time (uploaded together, compared by vector alone). Not the
    # demo photos: the session's demo archive holds those, and a copy joins its original.
    for file in LONE:
        img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
        save_with_time(img, folder / Path(file).name, None)
    ids = ingest(folder)

    groups = {
        frozenset(s.members.values_list("image_id", flat=True))
        for s in Series.objects.filter(members__image_id__in=ids.values()).distinct()
    }
    expected = {frozenset(ids[f"{name}{i}.jpg"] for i in range(3)) for name in bursts}
    assert groups == expected
    lone = SeriesMember.objects.filter(image_id__in=[ids[Path(f).name] for f in LONE])
    assert lone.count() == len(LONE) and all(m.series_id is None for m in lone)

    # The command finds the same series again from scratch, and a picked frame survives it.
    series = Series.objects.get(members__image_id=ids["boy0.jpg"])
    from photodesk.series.grouping import choose_best

    choose_best(series, ids["boy2.jpg"])
    with pytest.raises(ValueError):
        choose_best(series, ids["tennis0.jpg"])
    out = StringIO()
    call_command("series", "--rescore", "--no-progress", stdout=out)
    assert "series" in out.getvalue()
    series.refresh_from_db()
    assert series.best_id == ids["boy2.jpg"] and series.best_chosen
    assert {
        frozenset(s.members.values_list("image_id", flat=True))
        for s in Series.objects.filter(members__image_id__in=ids.values()).distinct()
    } == expected


@pytest.mark.django_db
def test_without_the_eye_model_the_eyes_are_not_scored(series_settings, tmp_path):
    from photodesk.models import Series

    series_settings.PHOTODESK = {
        **series_settings.PHOTODESK,
        "EYES_MODEL_DIR": str(tmp_path / "none"),
    }
    img = ImageOps.exif_transpose(Image.open(SHARED / PEOPLE["p18150"][0])).convert("RGB")
    folder = tmp_path / "two"
    folder.mkdir()
    rng = random.Random(5)
    for i in range(2):
        save_with_time(
            img if i == 0 else frame(img, rng),
            folder / f"f{i}.jpg",
            START + dt.timedelta(seconds=i),
        )
    ids = ingest(folder)
    series = Series.objects.get(members__image_id=ids["f0.jpg"])
    assert all(m.eyes_open is None and m.sharpness is not None for m in series.members.all())


def test_the_pinned_files_out_of_the_mediapipe_wheel(eyes_dir):
    for file in mediapipe_files.FILES:  # the face mesh, and BlazeFace (tests/test_blazeface.py)
        path = eyes_dir / file.relative
        assert mediapipe_files.present(eyes_dir, file)
        assert mediapipe_files._sha256(path.read_bytes()) == file.sha256


@override_settings()
def test_capture_time_and_camera_from_metadata():
    from photodesk.series.grouping import capture

    taken, camera = capture(
        {
            "date_taken": "2026:05:04 14:30:10",
            "camera_make": "Canon",
            "camera_model": "Canon EOS R6",
        }
    )
    assert taken == dt.datetime(2026, 5, 4, 14, 30, 10, tzinfo=dt.UTC)
    assert camera == "Canon EOS R6"
    assert capture({"date_taken": "not a date", "camera_make": "NIKON", "camera_model": "Z 6"}) == (
        None,
        "NIKON Z 6",
    )


@pytest.fixture
def astronaut_burst(series_settings, tmp_path) -> dict[str, int]:
    """The astronaut's five frames, analysed, indexed and grouped: frame name → image id."""
    eyes = EyeOpenness(series_settings.PHOTODESK["EYES_MODEL_DIR"])
    files = burst(tmp_path / "burst", "astronaut", eyes)
    ids = ingest(tmp_path / "burst")
    return {name: ids[path.name] for name, path in files.items()}


def _description(image_id: int) -> str:
    from photodesk.models import ImageAnalysis

    return ImageAnalysis.objects.get(image_id=image_id).description


@pytest.mark.django_db
def test_suggestions_show_the_best_frame_with_the_others_behind_it(astronaut_burst):
    from photodesk.models import Series
    from photodesk.search.service import suggest_for_text

    series = Series.objects.get(members__image_id=astronaut_burst["good1"])
    frames = set(series.members.values_list("image_id", flat=True))
    text = _description(astronaut_burst["good1"])

    results = suggest_for_text("Astronaut portrait", text, limit=10)
    shown = [r for r in results if r.image.pk in frames]
    assert [r.image.pk for r in shown] == [series.best_id]
    stand_in = shown[0].as_dict()
    assert stand_in["series"] == {"id": series.pk, "similar_count": len(shown[0].frames)}
    assert {f["id"] for f in stand_in["similar"]} <= frames - {series.best_id}
    assert stand_in["similar"]
    # The other frames best first, as the series scored them (the shut eyes come late).
    scores = dict(series.members.values_list("image_id", "score"))
    similar_scores = [scores[f["id"]] for f in stand_in["similar"]]
    assert similar_scores == sorted(similar_scores, reverse=True)

    everything = suggest_for_text("Astronaut portrait", text, limit=10, all_frames=True)
    assert len([r for r in everything if r.image.pk in frames]) > 1


@pytest.mark.django_db
def test_the_api_lists_series_with_score_parts_and_an_editor_picks_the_best(
    astronaut_burst, admin_client
):
    from photodesk.models import Series

    series = Series.objects.get(members__image_id=astronaut_burst["good1"])
    listing = admin_client.get("/api/v1/series/").json()
    assert series.pk in [s["id"] for s in listing["results"]]
    detail = admin_client.get(f"/api/v1/series/{series.pk}/").json()
    assert detail["best_id"] == series.best_id and detail["size"] == series.size
    best = next(f for f in detail["frames"] if f["best"])
    assert set(best["parts"]) == {"sharpness", "exposure", "face_size", "eyes_open", "smile"}
    assert best["score"] == max(f["score"] for f in detail["frames"])

    of_image = admin_client.get(f"/api/v1/images/{astronaut_burst['shut']}/series/").json()
    assert of_image["id"] == series.pk
    assert (
        next(f for f in of_image["frames"] if f["current"])["image_id"] == astronaut_burst["shut"]
    )

    chosen = admin_client.post(
        f"/api/v1/series/{series.pk}/best/", {"image": astronaut_burst["good3"]}
    )
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["best_id"] == astronaut_burst["good3"] and chosen.json()["best_chosen"]
    wrong = admin_client.post(f"/api/v1/series/{series.pk}/best/", {"image": 999999})
    assert wrong.status_code == 400 and "not a frame" in wrong.content.decode()
    series.refresh_from_db()
    assert series.best_id == astronaut_burst["good3"]

    page = admin_client.get(f"/admin/semantic_search/series/{series.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("Sharpness", "Exposure", "Face size", "Eyes open", "Smile"):
        assert label in html
    assert html.count('class="pd-frame') == series.size


def test_series_settings_are_checked(settings, tmp_path):
    from photodesk.checks import check_eyes_model, check_series

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "SERIES_WEIGHTS": {"sharpness": 1, "focus": 2},
        "SERIES_SIMILARITY": 1.5,
        "SERIES_WINDOW_SECONDS": -1,
        "EYES_MODEL_DIR": str(tmp_path),
    }
    assert {e.id for e in check_series(None)} == {
        "photodesk.E110",
        "photodesk.E111",
        "photodesk.E112",
    }
    (warning,) = check_eyes_model(None)
    assert warning.id == "photodesk.W110" and "mediapipe_files" in warning.hint


def two_frames(folder: Path) -> Path:
    """a.jpg and b.jpg, two frames of one photo a second apart (EXIF time and camera)."""
    img = ImageOps.exif_transpose(Image.open(SHARED / PEOPLE["p16598"][0])).convert("RGB")
    folder.mkdir()
    save_with_time(img, folder / "a.jpg", START)
    save_with_time(frame(img, random.Random(9)), folder / "b.jpg", START + dt.timedelta(seconds=1))
    return folder


@pytest.mark.django_db
def test_a_frame_whose_new_file_is_unlike_the_others_leaves_its_series(series_settings, tmp_path):
    import numpy as np

    from photodesk.models import ImageAnalysis, Series, SeriesMember
    from photodesk.series.grouping import place

    ids = ingest(two_frames(tmp_path / "pair"))
    series = Series.objects.get(members__image_id=ids["a.jpg"])

    # As if b's file were replaced by another picture: its vector changes, and it is placed again.
    other = np.random.default_rng(0).standard_normal(1280).astype(np.float32)
    ImageAnalysis.objects.filter(image_id=ids["b.jpg"]).update(visual_embedding=other.tobytes())
    assert place(ids["b.jpg"]) is None
    assert not Series.objects.filter(pk=series.pk).exists()  # one frame left is no series
    assert set(
        SeriesMember.objects.filter(image_id__in=ids.values()).values_list("series", flat=True)
    ) == {None}


@pytest.mark.django_db
def test_frames_of_a_burst_are_a_series_not_duplicates_but_a_copy_is_a_duplicate(
    series_settings, tmp_path
):
    """Frames a second apart look like one picture to the duplicate check, but the camera
    says they are two exposures: they form a series and no duplicate group (where "delete
    the others" would lose frames). An agency's re-encoded copy keeps the capture time: a
    duplicate."""
    from photodesk.models import DuplicateMember, Series

    frames = two_frames(tmp_path / "frames")
    ids = ingest(frames)
    series = Series.objects.get(members__image_id=ids["a.jpg"])
    assert set(series.members.values_list("image_id", flat=True)) == set(ids.values())
    assert not DuplicateMember.objects.filter(image_id__in=ids.values()).exists()

    copies = tmp_path / "agency"
    copies.mkdir()
    original = Image.open(frames / "a.jpg")
    original.save(copies / "a_agency.jpg", "JPEG", quality=70, exif=original.getexif())
    copy = ingest(copies)["a_agency.jpg"]
    group = DuplicateMember.objects.get(image_id=copy).group
    assert set(group.members.values_list("image_id", flat=True)) == {ids["a.jpg"], copy}
