"""Tags an editor can trust: mapping, thresholds, human decisions, new labels, notifications."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from photodesk import tasks
from photodesk.labels import rules
from photodesk.labels import service as labeling
from photodesk.models import ImageAnalysis, ImageLabel, Label, LabelDecision, ModelClass

from .conftest import DEMO_PHOTOS
from .helpers import IPTC_KEYWORD, jpeg_with_iptc, make_image

pytestmark = pytest.mark.django_db


def jpeg_with_iptc_keywords(keywords: list[str]) -> bytes:
    return jpeg_with_iptc(
        DEMO_PHOTOS / "coco_000000098392.jpg", [(IPTC_KEYWORD, k) for k in keywords]
    )


def test_every_imagenet_class_is_mapped_or_explicitly_ignored():
    classes = ModelClass.objects.filter(model="imagenet-1k")
    assert sorted(classes.values_list("index", flat=True)) == list(range(1000))
    assert classes.get(index=207).label.name == "dog"  # golden retriever
    assert classes.get(index=817).label.name == "car"  # sports car
    assert [a.name for a in classes.get(index=468).label.ancestors()] == [
        "car",
        "vehicle",
        "transport",
    ]  # taxi
    assert classes.filter(label__isnull=True).exists()  # raw detections only
    assert Label.objects.count() >= 250


def test_thresholds_route_labels_to_auto_review_or_nothing(settings):
    label = Label.objects.get(name="dog")
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "LABEL_ACCEPT_THRESHOLD": 60.0,
        "LABEL_REVIEW_THRESHOLD": 25.0,
    }
    assert rules.route(label, 75) == ImageLabel.State.AUTO
    assert rules.route(label, 40) == ImageLabel.State.REVIEW
    assert rules.route(label, 10) is None
    label.accept_threshold = 90
    assert rules.route(label, 75) == ImageLabel.State.REVIEW  # the label's own threshold


def test_the_cat_photo_is_tagged_cat_with_its_parents(archive):
    rows = {
        row.label.name: row
        for row in ImageLabel.objects.filter(
            image_id=archive["animal_cat_chelsea.jpg"]
        ).select_related("label")
    }
    assert rows["cat"].state == ImageLabel.State.AUTO
    assert rows["animals"].confidence == rows["cat"].confidence  # parent gets the child's
    assert "imagenet/efficientnet_lite0" in rows["cat"].source


def test_a_rejection_survives_forced_reanalysis_and_leaves_search(
    archive, separate_index, django_user_model
):
    from cms_images.models import Image
    from photodesk.search.service import search_images

    editor = django_user_model.objects.create_user("reviewer")
    image = Image.objects.get(pk=archive["animal_cat_chelsea.jpg"])
    row = ImageLabel.objects.get(image=image, label__name="cat")
    labeling.decide(row, ImageLabel.State.REJECTED, editor)
    tasks.refresh_image(image.pk)
    tasks.analyze_now(image, force=True)
    row.refresh_from_db()
    assert row.state == ImageLabel.State.REJECTED and row.decided_by == editor
    assert LabelDecision.objects.filter(image_label=row, action="reject", user=editor).exists()
    assert "cat" not in [r.label.name for r in labeling.labels_of(image)]
    hit = next(r for r in search_images("a cat", limit=40) if r.image.pk == image.pk)
    assert not any("“cat”" in reason for reason in hit.reason_texts)


def test_an_accepted_or_hand_added_label_is_never_removed(
    archive, separate_index, django_user_model
):
    from cms_images.models import Image

    editor = django_user_model.objects.create_user("editor")
    image = Image.objects.get(pk=archive["food_coffee_cup.jpg"])
    protest = Label.objects.get(name="protest")
    labeling.add_label(image, protest, editor)
    tasks.analyze_now(image, force=True)
    row = ImageLabel.objects.get(image=image, label=protest)
    assert row.state == ImageLabel.State.ACCEPTED and row.source == "person:editor"
    assert image.pk in labeling.images_with_label("demonstration").values_list("pk", flat=True)


def test_a_new_label_with_a_synonym_reaches_stored_images_without_a_model(
    separate_index, django_capture_on_commit_callbacks, settings
):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    image = make_image(jpeg_with_iptc_keywords(["EV", "charging"]), name="charger.jpg")
    analysis = tasks.analyze_now(image)
    assert analysis.photo_metadata["keywords"] == ["EV", "charging"]
    runs_before = analysis.finished_at
    with django_capture_on_commit_callbacks(execute=True):
        Label.objects.create(
            name="electric car", synonyms=["EV"], parent=Label.objects.get(name="car")
        )
    row = ImageLabel.objects.get(image=image, label__name="electric car")
    assert (row.source, row.confidence, row.state) == ("iptc", 100.0, ImageLabel.State.AUTO)
    assert ImageLabel.objects.filter(image=image, label__name="vehicle").exists()  # parents
    analysis.refresh_from_db()
    assert analysis.finished_at == runs_before  # no model ran again


def test_merging_labels_moves_images_and_names(archive, django_user_model):
    source = Label.objects.get(name="cat")
    target = Label.objects.create(name="feline")
    moved = labeling.merge_labels(source, target, django_user_model.objects.create_user("m"))
    assert moved >= 1
    source.refresh_from_db()
    assert not source.active and source.merged_into == target
    assert "cat" in Label.objects.get(pk=target.pk).synonyms
    assert ImageLabel.objects.filter(label=target, image_id=archive["animal_cat_chelsea.jpg"])
    assert ModelClass.objects.get(model="imagenet-1k", index=281).label == target


def test_labels_command_answers_keyword_queries(archive, capsys):
    import json

    call_command("labels", label="cat", min_confidence=90, json=True)
    rows = json.loads(capsys.readouterr().out)
    assert [r["original_filename"] for r in rows] == ["animal_cat_chelsea.jpg"]
    call_command("labels", counts=True, json=True)
    counts = {r["label"]: r["images"] for r in json.loads(capsys.readouterr().out)}
    assert counts["cat"] >= 1 and counts["animals"] >= counts["cat"]


def test_a_flagged_image_is_announced_and_left_out_of_suggestions(
    archive, settings, separate_index, mailoutbox, django_capture_on_commit_callbacks
):
    import http.server
    import json
    import threading

    received = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    # Every image is "unsafe" at threshold 0: this exercises the mechanism, not the model.
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "SAFETY_FLAG_THRESHOLD": 0.0,
        "SAFETY_NOTIFY_EMAILS": ["desk@example.com"],
        "SAFETY_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/hook",
    }
    from photodesk.search.service import suggest_for_article

    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat2.jpg")
    # The settings act as an alert rule, checked after the analysis commits (inline here).
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    with django_capture_on_commit_callbacks(execute=True):
        analysis = tasks.analyze_now(image)
    server.server_close()
    assert analysis.flagged and analysis.safety_score is not None
    assert len(mailoutbox) == 1 and "flagged" in mailoutbox[0].subject
    assert received and received[0]["events"][0]["image_id"] == image.pk
    suggested = suggest_for_article(title="Cats", body="A cat sleeps.", limit=40)
    assert image.pk not in [r.image.pk for r in suggested]
    assert ImageAnalysis.objects.filter(image=image, flagged=True).exists()


def test_two_classifiers_average_their_classes_but_keep_one_visual_space(settings):
    """With two networks the class probabilities are averaged (one class space), while the
    visual vector stays the first network's embedding: two networks' embeddings are different
    spaces, and their mean would make "looks like" neighbours meaningless."""
    import numpy as np
    from PIL import Image

    from photodesk.analysis.analyzers.base import Photo
    from photodesk.analysis.analyzers.labels import LabelAnalyzer

    cat = Image.open(DEMO_PHOTOS / "animal_cat_chelsea.jpg").convert("RGB")
    settings.PHOTODESK = {**settings.PHOTODESK, "CLASSIFIERS": ["efficientnet_lite0"]}
    alone = LabelAnalyzer().analyze(Photo(pixels=cat))
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "CLASSIFIERS": ["efficientnet_lite0", "mobilenet_v2"],
    }
    both = LabelAnalyzer().analyze(Photo(pixels=cat))
    assert np.array_equal(
        np.frombuffer(both["visual_embedding"], np.float32),
        np.frombuffer(alone["visual_embedding"], np.float32),
    )
    assert both["labels"][0]["source"] == "imagenet/efficientnet_lite0+imagenet/mobilenet_v2"
    assert both["concepts"] != alone["concepts"]  # the second network's classes count


def test_the_class_map_follows_merges_and_parents_without_a_query_per_label(
    django_assert_num_queries,
):
    """Every analysis maps 1,000 classes to labels: the map and the labels' ancestors come
    from two queries, whatever the taxonomy's size, and merged labels lead to their target."""
    cat = Label.objects.get(name="cat")
    feline = Label.objects.create(name="feline", parent=cat.parent)
    Label.objects.filter(pk=cat.pk).update(merged_into=feline, active=False)
    parents = [label.name for label in Label.objects.get(pk=feline.pk).ancestors()]
    assert parents  # "animals", at least
    with django_assert_num_queries(2):
        classes = labeling.class_map()
        tabby = classes[281]  # "tabby, tabby cat", mapped to "cat"
        assert tabby.name == "feline"
        assert [label.name for label in tabby.ancestors()] == parents
