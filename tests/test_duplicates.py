"""Near-duplicates: copies of one photo (resized, re-encoded, cropped, captioned) are grouped
as they arrive and distinct photos stay apart; resolving a group keeps one image, gives it what
people said about the others, and deletes or links them, all or nothing."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models.signals import pre_delete

from cms_images.models import Article, Image
from photodesk.duplicates.grouping import record_duplicates
from photodesk.duplicates.merge import ResolveError, resolve
from photodesk.models import (
    DuplicateGroup,
    DuplicateMember,
    Face,
    ImageFingerprint,
    ImageLabel,
    Label,
    Person,
    UsageWords,
)
from photodesk.tasks import analysis_inline

from .duplicates_support import DISTINCT, KINDS, ORIGINAL, copy_of
from .helpers import jpeg_bytes, make_image

# Labels give the visual vector; metadata the dates. The other models are not needed here.
ANALYZERS = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.labels.LabelAnalyzer",
]


@pytest.fixture
def labels_only(settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": ANALYZERS}


def arrive(data: bytes, name: str, **fields) -> Image:
    """Save an image as the site does; its analysis and the duplicate check run after the
    commit, in this process."""
    with analysis_inline():
        return make_image(data, name=name, **fields)


def test_copies_are_grouped_as_they_arrive_and_distinct_photos_stay_apart(
    labels_only, committed_db
):
    original = arrive(ORIGINAL.read_bytes(), "original.jpg")
    others = [arrive(p.read_bytes(), p.name) for p in DISTINCT]
    copies = {kind: arrive(copy_of(ORIGINAL, kind), f"copy-{kind}.jpg") for kind in KINDS}

    group = DuplicateMember.objects.get(image=original).group
    assert group.status == DuplicateGroup.Status.OPEN
    assert set(group.members.values_list("image_id", flat=True)) == {
        original.pk,
        *(c.pk for c in copies.values()),
    }
    assert not DuplicateMember.objects.filter(image__in=others).exists()
    resized = ImageFingerprint.objects.get(image=copies["resize"])
    full = ImageFingerprint.objects.get(image=original)
    assert (resized.width * 2, resized.height * 2) == (full.width, full.height)

    # Checking again (the scan command) changes nothing: one group, the same members.
    out = StringIO()
    call_command("find_duplicates", no_progress=True, stdout=out)
    assert DuplicateGroup.objects.filter(members__image=original).count() == 1
    assert group.members.count() == 5
    assert "have copies" in out.getvalue()


def grouped(*images: Image) -> DuplicateGroup:
    group = DuplicateGroup.objects.create()
    for image in images:
        DuplicateMember.objects.create(group=group, image=image, similarity=0.97, hash_bits=2)
    return group


def unit(seed: int) -> bytes:
    v = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return (v / np.linalg.norm(v) * 0.3).tobytes()


@pytest.fixture
def copies_with_metadata(db, django_user_model):
    """A kept image with nothing said about it, and two copies people described, tagged,
    named a face on, and used in an article."""
    editor = django_user_model.objects.create_user("desk", password="pw")
    kept = make_image(jpeg_bytes((10, 120, 200), (400, 300)), name="big.jpg", credit="")
    first = make_image(
        jpeg_bytes((10, 120, 200), (200, 150)),
        name="small.jpg",
        caption="The mayor opens the bridge.",
        credit="City Hall",
    )
    second = make_image(jpeg_bytes((10, 120, 200), (100, 75)), name="tiny.jpg")
    bridge = Label.objects.create(name="Dupe bridge", slug="dupe-bridge")
    river = Label.objects.create(name="Dupe river", slug="dupe-river")
    ImageLabel.objects.create(
        image=first, label=bridge, confidence=90, source="person:desk", state="accepted"
    )
    ImageLabel.objects.create(image=kept, label=river, confidence=60, source="m@1", state="auto")
    ImageLabel.objects.create(
        image=second, label=river, confidence=60, source="m@1", state="rejected"
    )
    mayor = Person.objects.create(name="Dupe Mayor")
    Face.objects.create(
        image=first,
        box=[10, 10, 40, 40],
        detection_confidence=0.9,
        embedding=unit(1),
        person=mayor,
        state=Face.State.CONFIRMED,
    )
    face = Face.objects.create(
        image=kept, box=[20, 20, 80, 80], detection_confidence=0.9, embedding=unit(1)
    )
    article = Article.objects.create(title="Bridge opens")
    UsageWords.objects.create(
        image=second,
        article_type=ContentType.objects.get_for_model(Article),
        article_id=str(article.pk),
        title="Bridge opens",
    )
    return {
        "editor": editor,
        "kept": kept,
        "others": [first, second],
        "face": face,
        "mayor": mayor,
        "group": grouped(kept, first, second),
    }


def test_keeping_one_merges_what_people_said_into_it(copies_with_metadata):
    c = copies_with_metadata
    kept = c["kept"]
    resolve(c["group"], kept.pk, "link", c["editor"])

    kept.refresh_from_db()
    assert kept.caption == "The mayor opens the bridge."
    assert kept.credit == "City Hall"
    states = dict(ImageLabel.objects.filter(image=kept).values_list("label__name", "state"))
    assert states == {"Dupe bridge": "accepted", "Dupe river": "rejected"}
    c["face"].refresh_from_db()
    assert (c["face"].person, c["face"].state) == (c["mayor"], Face.State.CONFIRMED)
    assert UsageWords.objects.filter(image=kept, title="Bridge opens").exists()
    assert Image.objects.filter(pk__in=[o.pk for o in c["others"]]).count() == 2
    group = DuplicateGroup.objects.get(pk=c["group"].pk)
    assert (group.status, group.action, group.kept_id) == ("resolved", "link", kept.pk)
    assert group.resolved_by == c["editor"]


def test_copies_an_article_shows_are_not_deleted_and_the_others_are(copies_with_metadata):
    c = copies_with_metadata
    kept, (first, second) = c["kept"], c["others"]
    with pytest.raises(ResolveError, match="used in an article"):
        resolve(c["group"], kept.pk, "delete", c["editor"])
    kept.refresh_from_db()
    assert kept.caption == "" and Image.objects.filter(pk=second.pk).exists()

    UsageWords.objects.filter(image=second).delete()  # the article no longer shows it
    resolve(c["group"], kept.pk, "delete", c["editor"])
    kept.refresh_from_db()
    assert kept.caption == "The mayor opens the bridge."
    assert not Image.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert DuplicateGroup.objects.get(pk=c["group"].pk).action == "delete"


def test_linking_keeps_the_others_and_a_person_s_decision_on_the_kept_image_wins(
    copies_with_metadata,
):
    c = copies_with_metadata
    kept, first = c["kept"], c["others"][0]
    kept.caption = "Written on the kept one."
    kept.save()
    ImageLabel.objects.filter(image=kept).update(state="accepted")  # a person accepted "river"
    resolve(c["group"], kept.pk, "link", c["editor"])

    kept.refresh_from_db()
    assert kept.caption == "Written on the kept one."
    states = dict(ImageLabel.objects.filter(image=kept).values_list("label__name", "state"))
    assert states == {"Dupe bridge": "accepted", "Dupe river": "accepted"}
    assert Image.objects.filter(pk=first.pk).exists()
    assert DuplicateMember.objects.filter(image=first, group=c["group"]).exists()


def test_a_failed_delete_changes_nothing(copies_with_metadata):
    c = copies_with_metadata
    kept, (first, second) = c["kept"], c["others"]

    UsageWords.objects.filter(image=second).delete()  # deletable: no article shows it

    def refuse(sender, instance, **kwargs):
        if instance.pk == second.pk:
            raise RuntimeError("The storage refused to delete the file.")

    pre_delete.connect(refuse, sender=Image)
    try:
        with pytest.raises(RuntimeError):
            resolve(c["group"], kept.pk, "delete", c["editor"])
    finally:
        pre_delete.disconnect(refuse, sender=Image)

    kept.refresh_from_db()
    assert kept.caption == "" and kept.credit == ""
    assert not ImageLabel.objects.filter(image=kept, label__name="Dupe bridge").exists()
    c["face"].refresh_from_db()
    assert c["face"].person is None
    assert Image.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert DuplicateGroup.objects.get(pk=c["group"].pk).status == "open"


def test_bad_choices_are_refused_with_a_reason(copies_with_metadata):
    c = copies_with_metadata
    stranger = make_image(jpeg_bytes((1, 2, 3)), name="stranger.jpg")
    with pytest.raises(ResolveError, match="not in duplicate group"):
        resolve(c["group"], stranger.pk, "delete", c["editor"])
    with pytest.raises(ResolveError, match="Unknown action"):
        resolve(c["group"], c["kept"].pk, "burn", c["editor"])
    resolve(c["group"], c["kept"].pk, "distinct", c["editor"])
    with pytest.raises(ResolveError, match="already resolved"):
        resolve(c["group"], c["kept"].pk, "link", c["editor"])
    # "Not duplicates" merges nothing.
    assert not ImageLabel.objects.filter(image=c["kept"], label__name="Dupe bridge").exists()


def test_a_copy_of_an_already_grouped_picture_joins_its_group(labels_only, db):
    with analysis_inline():
        first = make_image(ORIGINAL.read_bytes(), name="a.jpg")
        second = make_image(copy_of(ORIGINAL, "jpeg40"), name="b.jpg")
    from photodesk.tasks import analyze_now

    analyze_now(first)
    analyze_now(second)
    record_duplicates(first)
    group = record_duplicates(second)
    assert group is not None and group.members.count() == 2
    resolve(group, first.pk, "link", None)
    with analysis_inline():
        third = make_image(copy_of(ORIGINAL, "resize"), name="c.jpg")
    analyze_now(third)
    again = record_duplicates(third)
    assert again.pk == group.pk and again.status == DuplicateGroup.Status.OPEN
    assert again.members.count() == 3


def test_the_review_screen_offers_each_role_only_what_it_may_do(copies_with_metadata, client):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from photodesk.roles import role_group

    call_command("photodesk_roles", stdout=StringIO())
    c = copies_with_metadata
    url = f"/admin/semantic_search/duplicategroup/{c['group'].pk}/change/"
    users = {}
    for role in ("journalist", "reviewer", "admin"):
        users[role] = User.objects.create_user(f"dupe-{role}", password="pw", is_staff=True)
        users[role].groups.add(role_group(role))
    nobody = User.objects.create_user("dupe-nobody", password="pw", is_staff=True)

    client.force_login(nobody)
    assert client.get(url).status_code == 403
    client.force_login(users["journalist"])
    page = client.get(url).content.decode()
    assert "may look at this group but not resolve it" in page
    assert 'value="link"' not in page
    client.force_login(users["reviewer"])
    page = client.get(url).content.decode()
    assert 'value="link"' in page and 'value="delete"' not in page
    refused = client.post(url, {"keep": c["kept"].pk, "action": "delete"})
    assert refused.status_code == 403
    assert Image.objects.filter(pk=c["others"][0].pk).exists()
    client.force_login(users["admin"])
    assert 'value="delete"' in client.get(url).content.decode()
    refused = client.post(url, {"keep": c["kept"].pk, "action": "delete"}, follow=True)
    assert "used in an article" in refused.content.decode()  # the message, nothing deleted
    assert Image.objects.filter(pk=c["others"][1].pk).exists()
    done = client.post(url, {"keep": c["kept"].pk, "action": "link"})
    assert done.status_code == 302
    assert DuplicateGroup.objects.get(pk=c["group"].pk).status == "resolved"


@pytest.mark.django_db
def test_the_hash_check_sees_new_changed_and_deleted_images_without_reading_them_all():
    from photodesk.duplicates.hashes import Hashes

    first, second = make_image(jpeg_bytes(), name="a.jpg"), make_image(jpeg_bytes(), name="b.jpg")
    ours = {first.pk, second.pk}  # other tests' archives may hold hashes too

    def seen(exclude: int) -> dict[int, int]:
        ids, values = hashes.all(exclude=exclude)
        return {k: v for k, v in zip(ids.tolist(), values.tolist(), strict=True) if k in ours}

    ImageFingerprint.objects.create(image=first, phash=1)
    hashes = Hashes()
    assert seen(exclude=second.pk) == {first.pk: 1}

    ImageFingerprint.objects.create(image=second, phash=2)  # another worker's new image
    row = ImageFingerprint.objects.get(image=first)
    row.phash = 3
    row.save()  # a replaced file: its hash is computed again
    assert seen(exclude=-1) == {first.pk: 3, second.pk: 2}

    second.delete()
    assert seen(exclude=-1) == {first.pk: 3}
