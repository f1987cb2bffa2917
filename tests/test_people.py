"""People: naming clusters, photos of / with someone, search by face, recognition of known
people, rejections that stick, merges, deletions, the erase command, and names in search."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from photodesk import tasks
from photodesk.analysis.decode import InvalidImage
from photodesk.indexing import build_document
from photodesk.models import Face, FaceDecision, ImageAnalysis, Person
from photodesk.people import clustering
from photodesk.people.decisions import (
    assign_face,
    merge_people,
    name_cluster,
    reject_face,
    remove_face_from_cluster,
)
from photodesk.people.queries import people_in_text, photos_of, photos_with
from photodesk.search.by_face import NoFaceFound, search_by_face

from .conftest import DEMO_PHOTOS
from .face_fixtures import TOGETHER
from .helpers import make_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_analyzers")]


def cluster_of(face_archive, person: str):
    clustering.recluster_all()
    face = Face.objects.get(image_id=face_archive.images[person][0])
    assert face.cluster is not None
    return face.cluster


def name_person(face_archive, person: str, name: str, aliases=()) -> Person:
    who = Person.objects.create(name=name, aliases=list(aliases))
    name_cluster(cluster_of(face_archive, person), who, None)
    return who


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_naming_a_cluster_makes_photos_of_the_name_return_them(face_archive):
    cluster = cluster_of(face_archive, "p18150")
    expected = set(cluster.faces.values_list("image_id", flat=True))
    assert set(face_archive.images["p18150"]) <= expected
    person = Person.objects.create(name="Zoë Ångström", aliases=["Zoe A."])
    assert name_cluster(cluster, person, None) == len(expected)
    assert ids(photos_of("Zoë Ångström")) == expected
    assert ids(photos_of("zoe angstrom")) == expected  # case and accents ignored
    assert ids(photos_of("ZOE A.")) == expected  # an alias
    assert not photos_of("Zoe")  # a part of a name is not the name
    assert FaceDecision.objects.filter(action="name", person_name=person.name).count() == len(
        expected
    )
    assert all(f.state == Face.State.CONFIRMED for f in person.faces.all())


def test_photos_with_two_people_returns_only_the_picture_of_both(face_archive):
    name_person(face_archive, TOGETHER[0], "Ana Silva")
    name_person(face_archive, TOGETHER[1], "Bo Chen")
    assert ids(photos_with(["ana silva", "Bo Chen"])) == {face_archive.together}
    assert face_archive.together in ids(photos_of("Ana Silva"))
    assert not photos_with(["Ana Silva", "Nobody"])


def test_a_new_photo_of_a_named_person_is_recognised_automatically(face_archive):
    person = name_person(face_archive, "p2081446176", "Carla Duarte")
    image = make_image(face_archive.held_out["p2081446176"].read_bytes(), "new-carla.jpg")
    tasks.analyze_now(image)
    face = Face.objects.get(image=image)
    assert face.person == person and face.state == Face.State.AUTO
    assert 0 <= face.distance <= 0.45  # FACE_AUTO_DISTANCE
    assert image.pk in ids(photos_of("Carla Duarte"))
    # someone else's new photo is not given her name
    other = make_image(face_archive.held_out["p1989145280"].read_bytes(), "someone.jpg")
    tasks.analyze_now(other)
    assert Face.objects.get(image=other).person is None


def test_search_by_face_returns_that_persons_images_first(face_archive):
    person = "p1989145280"
    results = search_by_face(face_archive.held_out[person].read_bytes())
    own = set(face_archive.images[person])
    top = [image.pk for image, _ in results[: len(own)]]
    assert set(top) == own
    distances = [d for _, d in results]
    assert distances == sorted(distances) and distances[0] < 0.4
    with pytest.raises(NoFaceFound):
        search_by_face((DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes())
    with pytest.raises(InvalidImage, match="not an image"):  # a clear error, not a crash
        search_by_face(b"definitely not a photo")


def test_a_rejected_person_is_never_proposed_again(face_archive):
    person = name_person(face_archive, "p16598", "Dara Okafor")
    face = Face.objects.get(image_id=face_archive.images["p16598"][0])
    assert face.person == person
    reject_face(face, None)
    face.refresh_from_db()
    assert face.person is None and person in face.rejected_people.all()
    # re-clustering, re-analysis and naming the cluster again leave it alone
    clustering.recluster_all()
    tasks.analyze_now(face.image, force=True)
    for cluster in {f.cluster for f in Face.objects.filter(cluster__isnull=False)}:
        name_cluster(cluster, person, None)
    face = Face.objects.get(pk=face.pk)
    assert face.person is None
    assert face.image_id not in ids(photos_of("Dara Okafor"))
    # ...but a reviewer may still name the face as someone else
    assign_face(face, Person.objects.create(name="Someone Else"), None)
    assert face.image_id in ids(photos_of("Someone Else"))


def test_recognition_skips_a_person_rejected_for_that_face(face_archive):
    person = name_person(face_archive, "p18150", "Eve Ito")
    image = make_image(face_archive.held_out["p18150"].read_bytes(), "eve.jpg")
    tasks.analyze_now(image)
    face = Face.objects.get(image=image)
    assert face.person == person
    reject_face(face, None)
    tasks.analyze_now(image, force=True)  # the decided face is kept, not re-recognised
    assert list(Face.objects.filter(image=image).values_list("person", flat=True)) == [None]


def test_removing_a_wrong_face_from_a_cluster_keeps_it_out(face_archive):
    cluster = cluster_of(face_archive, "p2081446176")
    face = cluster.faces.first()
    remove_face_from_cluster(face, None)
    clustering.recluster_all()
    assert Face.objects.get(pk=face.pk).cluster is None
    assert FaceDecision.objects.filter(face=face, action="remove").exists()


def test_merging_people_moves_their_faces_and_names(face_archive):
    first = name_person(face_archive, "p16598", "Fay Lind")
    second = name_person(face_archive, "p18150", "F. Lind-Berg", aliases=["Fay B."])
    photos = ids(photos_of("Fay Lind")) | ids(photos_of("F. Lind-Berg"))
    target = merge_people(second, first, None)
    assert target == first and not Person.objects.filter(pk=second.pk).exists()
    assert ids(photos_of("Fay Lind")) == photos
    assert ids(photos_of("fay b.")) == photos  # the merged person's alias now finds them
    with pytest.raises(ValueError):
        merge_people(first, first, None)


def test_deleting_a_person_leaves_their_faces_unnamed_and_the_images(face_archive):
    person = name_person(face_archive, "p1989145280", "Gil Santos")
    images = ids(photos_of("Gil Santos"))
    person.delete()
    faces = Face.objects.filter(image_id__in=images)
    assert faces.exists() and all(
        f.person is None and f.state == Face.State.UNKNOWN and f.decided_at is None for f in faces
    )
    assert ImageAnalysis.objects.filter(image_id__in=images).count() == len(images)


def test_forget_face_data_erases_embeddings_and_crops_after_confirmation(
    face_archive, monkeypatch, django_capture_on_commit_callbacks
):
    person = name_person(face_archive, "p2081446176", "Hana Mori")
    faces = list(person.faces.all())
    crops = [(f.thumbnail.storage, f.thumbnail.name) for f in faces]
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError):
        call_command("forget_face_data", person="Hana Mori")
    assert all(f.embedding is not None for f in person.faces.all())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("forget_face_data", person=str(person.pk), yes=True, stdout=io.StringIO())
    assert all(f.embedding is None and not f.thumbnail for f in person.faces.all())
    assert not any(storage.exists(name) for storage, name in crops)
    assert FaceDecision.objects.filter(action="erase", person_name="Hana Mori").count() == len(
        faces
    )
    assert ids(photos_of("Hana Mori")) == {f.image_id for f in faces}  # still findable by name
    # a re-analysis does not compute the erased embeddings again
    tasks.analyze_now(faces[0].image, force=True)
    assert Face.objects.get(pk=faces[0].pk).embedding is None
    with pytest.raises(CommandError):
        call_command("forget_face_data", person="Nobody Here", yes=True)


def test_forget_all_face_data_erases_every_embedding(face_archive):
    assert Face.objects.exclude(embedding=None).exists()
    call_command("forget_face_data", everyone=True, yes=True, stdout=io.StringIO())
    assert not Face.objects.exclude(embedding=None).exists()
    assert search_by_face(face_archive.held_out["p16598"].read_bytes()) == []


def test_people_in_text_finds_exact_names_and_aliases():
    ana = Person.objects.create(name="Ana Silva", aliases=["Ana Sílva-Costa"])
    bo = Person.objects.create(name="Bo", aliases=[])
    Person.objects.create(name="Silva")
    text = "Minister ANA SILVA-COSTA met bo yesterday; Anastasia did not."
    found = people_in_text(text)
    assert ana in found and bo in found
    assert [p.name for p in people_in_text("Anabelle Silvano")] == []


@pytest.mark.parametrize("backend", ["embedded", "opensearch"])
def test_a_persons_name_reaches_the_index_document_and_search(
    face_archive, backend, settings, tmp_path, django_capture_on_commit_callbacks
):
    from photodesk.search.service import search_images

    alias = None
    if backend == "opensearch":
        from .opensearch_support import drop, new_alias, require_node, use_opensearch

        require_node()
        alias = new_alias()
        use_opensearch(settings, alias)
        call_command("reindex", stdout=io.StringIO())
    else:
        settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
        call_command("reindex", stdout=io.StringIO())
    try:

        def shown(results) -> set[int]:  # results matched by a person's name
            return {
                r.as_dict()["id"]
                for r in results
                if any(reason.startswith("shows") for reason in r.as_dict()["reason_texts"])
            }

        assert not shown(search_images("Ingrid Quarshie", limit=10))
        with django_capture_on_commit_callbacks(execute=True):  # re-indexed after commit
            person = name_person(face_archive, "p16598", "Ingrid Quarshie", ["Inga Q."])
        image_id = face_archive.images["p16598"][0]
        analysis = ImageAnalysis.objects.select_related("image").get(image_id=image_id)
        document = build_document(analysis.image, analysis)
        assert "Ingrid Quarshie" in document.fields["people"]
        assert "Inga Q." in document.fields["people"]
        assert document.attributes["people_ids"] == [str(person.pk)]
        found = shown(search_images("Ingrid Quarshie", limit=10))
        assert set(face_archive.images["p16598"]) <= found
        assert found <= set(face_archive.images["p16598"]) | {face_archive.together}
        # renaming the person re-indexes their photos under the new name
        with django_capture_on_commit_callbacks(execute=True):
            person.name = "Ingrid Quarshie-Mensah"
            person.aliases = []
            person.save()
        assert set(face_archive.images["p16598"]) <= shown(search_images("Mensah", limit=10))
        assert not shown(search_images("Inga", limit=10))
    finally:
        if alias:
            drop(alias)


def test_people_command_lists_people_and_their_photos(face_archive, capsys):
    name_person(face_archive, TOGETHER[0], "Jon Park")
    name_person(face_archive, TOGETHER[1], "Kim Lee")
    call_command("people", list_people=True)
    out = capsys.readouterr().out
    assert "Jon Park" in out and "Kim Lee" in out
    call_command("people", together=["jon park", "KIM LEE"], json=True)
    assert f'"id": {face_archive.together}' in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("people", person="Nobody")


# --- admin -----------------------------------------------------------------------------------


def test_admin_names_a_cluster_from_its_face_grid_and_removes_a_wrong_face(
    face_archive, staff_client
):
    from django.urls import reverse

    cluster = cluster_of(face_archive, "p16598")
    faces = list(cluster.faces.all())
    url = reverse("admin:semantic_search_facecluster_change", args=[cluster.pk])
    page = staff_client.get(url).content.decode()
    assert all(f.thumbnail.url in page for f in faces)
    assert (
        staff_client.get(reverse("admin:semantic_search_facecluster_changelist")).status_code == 200
    )
    wrong = faces[-1]
    response = staff_client.post(url, {"remove_face": wrong.pk})
    assert response.status_code == 302
    assert Face.objects.get(pk=wrong.pk).cluster is None
    # neither or both of "existing" and "new" is an error, nothing changes
    response = staff_client.post(url, {"name_cluster": "1", "new_name": "", "kind": "public"})
    assert response.status_code == 200 and "Choose an existing person" in response.content.decode()
    response = staff_client.post(
        url, {"name_cluster": "1", "new_name": "Lena Voss", "kind": "staff"}
    )
    assert response.status_code == 302
    person = Person.objects.get(name="Lena Voss")
    assert person.kind == "staff"
    assert ids(photos_of("lena voss")) == {f.image_id for f in faces[:-1]}
    person_page = staff_client.get(
        reverse("admin:semantic_search_person_change", args=[person.pk])
    ).content.decode()
    assert faces[0].thumbnail.url in person_page
    image_page = staff_client.get(
        reverse("admin:cms_images_image_change", args=[faces[0].image_id])
    ).content.decode()
    assert "Lena Voss" in image_page and faces[0].thumbnail.url in image_page


def test_admin_merges_people_through_an_intermediate_page(face_archive, staff_client):
    from django.urls import reverse

    first = name_person(face_archive, "p16598", "Mia Berg")
    second = name_person(face_archive, "p18150", "Mia Berg-Holm")
    url = reverse("admin:semantic_search_person_changelist")
    data = {"action": "merge_people_action", "_selected_action": [second.pk]}
    page = staff_client.post(url, data)
    assert page.status_code == 200 and "Merge into" in page.content.decode()
    response = staff_client.post(url, {**data, "apply": "1", "target": first.pk})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=second.pk).exists()
    assert "Mia Berg-Holm" in Person.objects.get(pk=first.pk).aliases


def test_only_people_with_face_permissions_may_name_clusters(
    face_archive, client, django_user_model
):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    user = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_face"))
    client.force_login(user)
    cluster = cluster_of(face_archive, "p18150")
    url = reverse("admin:semantic_search_facecluster_change", args=[cluster.pk])
    assert "Name the cluster" not in client.get(url).content.decode()
    client.post(url, {"name_cluster": "1", "new_name": "Nope", "kind": "public"})
    assert not Person.objects.filter(name="Nope").exists()


def test_reindex_documents_are_built_in_batches_with_the_same_content(
    face_archive, archive, django_assert_max_num_queries
):
    """Reindex and reconcile read tags, people and words from use with three queries per
    batch, not per image, and build exactly the documents the pipeline builds one at a time."""
    from photodesk.indexing import build_document, build_documents
    from photodesk.models import ImageAnalysis

    name_person(face_archive, "p18150", "Zoë Ångström")
    name_person(face_archive, "p16598", "Second Person")
    analyses = list(ImageAnalysis.objects.indexable().select_related("image"))
    assert len(analyses) > 40  # the demo photos (with tags) and the face scenes (with people)
    one_by_one = [build_document(a.image, a) for a in analyses]
    assert any(d.fields["people"] for d in one_by_one)
    assert any(d.fields["labels"] for d in one_by_one)
    batches = -(-len(analyses) // 20)
    with django_assert_max_num_queries(3 * batches):
        batched = list(build_documents(analyses, batch=20))
    assert [(d.id, d.fields, d.attributes) for d in batched] == [
        (d.id, d.fields, d.attributes) for d in one_by_one
    ]
