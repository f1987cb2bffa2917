"""Faces as the pipeline stores them: the analyzer's facts, rows and crops, clustering, privacy,
and what happens when images go. Real dlib and FER models on generated scenes
(tests/face_scenes.py: real faces pasted into real background photos)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image, ImageFilter

from photodesk import tasks
from photodesk.analysis.analyzers.faces import FaceAnalyzer
from photodesk.analysis.decode import decode
from photodesk.inference.faces import EXPRESSIONS, face_quality
from photodesk.models import Face, FaceCluster, ImageAnalysis, Person
from photodesk.people import clustering
from photodesk.people.decisions import assign_face
from photodesk.search.by_face import FaceRecognitionOff, search_by_face

from .face_fixtures import PEOPLE_IN_TEST, TOGETHER
from .face_scenes import head
from .helpers import make_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_analyzers")]


def faces_of(image_id: int) -> list[Face]:
    return list(Face.objects.filter(image_id=image_id))


def test_analyzer_gives_every_face_its_box_embedding_expression_and_quality(face_archive):
    path = face_archive.held_out["p16598"]
    photo = decode(path.read_bytes(), path.name)
    facts = FaceAnalyzer().analyze(photo)
    assert facts["face_count"] == 1
    face = facts["faces"][0]
    assert set(face) >= {"box", "score", "embedding", "expression", "quality", "usable"}
    x, y, w, h = face["box"]
    assert 0 <= x < photo.pixels.width and 0 <= y < photo.pixels.height and w > 80 and h > 80
    assert 0 < face["score"] <= 1
    assert face["embedding"].dtype == np.float32 and face["embedding"].shape == (128,)
    assert face["expression"] in EXPRESSIONS and 0 < face["expression_confidence"] <= 1
    assert face["usable"] and 0.5 < face["quality"] <= 1


def test_small_or_blurred_faces_are_kept_but_not_usable():
    crop = head("p18150").convert("L")
    sharp = face_quality(crop, [0, 0, 150, 150])
    blurred = face_quality(crop.filter(ImageFilter.GaussianBlur(4)), [0, 0, 150, 150])
    tiny = face_quality(crop.resize((30, 30), Image.BILINEAR), [0, 0, 30, 30])
    assert sharp[1] and not blurred[1] and not tiny[1]
    assert sharp[0] > blurred[0] and sharp[0] > tiny[0]


def test_every_scene_has_its_faces_stored_with_crops_and_no_embedding_in_the_json(face_archive):
    for person, ids in face_archive.images.items():
        for pk in ids:
            faces = faces_of(pk)
            assert len(faces) == 1, (person, pk)
            face = faces[0]
            assert face.vector.shape == (128,) and face.embedding_model
            assert face.thumbnail and face.thumbnail.storage.exists(face.thumbnail.name)
            with Image.open(face.thumbnail) as crop:
                assert max(crop.size) <= 112
            analysis = ImageAnalysis.objects.get(image_id=pk)
            assert analysis.face_count == 1
            assert set(analysis.faces[0]) == {"box", "score", "expression"}
    assert len(faces_of(face_archive.together)) == 2


def test_clustering_puts_one_persons_faces_together_and_different_people_apart(face_archive):
    clustering.recluster_all()
    clusters = {}
    for person in PEOPLE_IN_TEST:
        ids = face_archive.images[person] + ([face_archive.together] if person in TOGETHER else [])
        faces = Face.objects.filter(image_id__in=ids)
        if person in TOGETHER:  # the pair image: only this person's face (nearest to theirs)
            own = faces.exclude(image_id=face_archive.together)
            mean = np.mean([f.vector for f in own], axis=0)
            pair = [f for f in faces if f.image_id == face_archive.together]
            keep = min(pair, key=lambda f: np.linalg.norm(f.vector - mean))
            faces = [*own, keep]
        cluster_ids = {f.cluster_id for f in faces}
        assert len(cluster_ids) == 1 and None not in cluster_ids, (person, cluster_ids)
        clusters[person] = cluster_ids.pop()
    assert len(set(clusters.values())) == len(PEOPLE_IN_TEST)
    for person, cluster_id in clusters.items():  # nobody else's face in their cluster
        members = Face.objects.filter(cluster_id=cluster_id).values_list("image_id", flat=True)
        assert set(members) <= set(face_archive.images[person]) | {face_archive.together}


def test_incremental_clustering_places_a_new_face_in_its_persons_cluster(face_archive):
    clustering.recluster_all()
    cluster_id = Face.objects.get(image_id=face_archive.images["p1989145280"][0]).cluster_id
    image = make_image(face_archive.held_out["p1989145280"].read_bytes(), "new.jpg")
    tasks.analyze_now(image)
    clustering.cluster_new_faces()
    new_id = image.pk
    assert Face.objects.get(image_id=new_id).cluster_id == cluster_id


def test_reanalysis_keeps_human_decisions_and_replaces_machine_faces(face_archive):
    pk = face_archive.together
    first, second = faces_of(pk)
    person = Person.objects.create(name="Ana Example")
    assign_face(first, person, None)
    old_crop = second.thumbnail.name
    image = Face.objects.get(pk=first.pk).image
    tasks.analyze_now(image, force=True)
    faces = faces_of(pk)
    assert len(faces) == 2
    kept = Face.objects.get(pk=first.pk)
    assert kept.person == person and kept.state == Face.State.CONFIRMED
    assert not Face.objects.filter(pk=second.pk).exists()  # replaced by a new detection
    assert old_crop not in {f.thumbnail.name for f in faces}


def test_privacy_switch_detects_faces_but_stores_no_embeddings(face_archive, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "FACE_RECOGNITION": False}
    person = Person.objects.create(name="Known Person")
    for face in Face.objects.filter(image_id__in=face_archive.images["p18150"]):
        assign_face(face, person, None)
    image = make_image(face_archive.held_out["p18150"].read_bytes(), "private.jpg")
    tasks.analyze_now(image)
    faces = faces_of(image.pk)
    assert len(faces) == 1
    assert faces[0].embedding is None and faces[0].vector is None
    assert faces[0].person is None and faces[0].state == Face.State.UNKNOWN
    assert clustering.cluster_new_faces() == {"joined": 0, "new_clusters": 0}
    with pytest.raises(FaceRecognitionOff):
        search_by_face(face_archive.held_out["p18150"].read_bytes())
    assert FaceAnalyzer().model_versions().keys() == {"dlib-hog-frontal-face", "fer-emotion-int8"}


def test_deleting_an_image_deletes_its_faces_and_crops(
    face_archive, django_capture_on_commit_callbacks
):
    image = make_image(face_archive.held_out["p2081446176"].read_bytes(), "to-delete.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.analyze_now(image)
    face = Face.objects.get(image_id=image.pk)
    storage, crop = face.thumbnail.storage, face.thumbnail.name
    assert storage.exists(crop)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not Face.objects.filter(pk=face.pk).exists()
    assert not storage.exists(crop)


def test_cluster_faces_command_reports_the_clusters(face_archive, capsys):
    call_command("cluster_faces", no_progress=True)
    out = capsys.readouterr().out
    assert "cluster(s)" in out
    assert FaceCluster.objects.filter(faces__image_id__in=face_archive.all_ids()).exists()
