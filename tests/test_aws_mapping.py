"""Rekognition's names onto the taxonomy: the frozen table matches the code, every target
exists, and an editor maps a new name in the admin so the next labelling uses it."""

from __future__ import annotations

import pytest

from photodesk.labels import service as labeling
from photodesk.labels.taxonomy.rekognition import REKOGNITION_TO_LABEL
from photodesk.models import ImageAnalysis, ImageLabel, Label, ModelClass

from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db


def test_the_migrated_rekognition_table_is_the_code_table():
    rows = {mc.name: mc.label for mc in ModelClass.objects.filter(model="rekognition")}
    assert set(rows) == set(REKOGNITION_TO_LABEL)
    for name, target in REKOGNITION_TO_LABEL.items():
        assert (rows[name].name if rows[name] else None) == target, name
    assert rows["Sedan"].name == "car" and rows["Clothing"] is None


def raw(name: str, confidence: float, aliases=()) -> dict:
    return {
        "name": name,
        "confidence": confidence,
        "source": "rekognition",
        "kind": "class",
        "provider": "rekognition",
        "parents": [],
        "aliases": list(aliases),
        "boxes": [[1, 2, 3, 4]],
    }


def test_an_editor_maps_a_raw_rekognition_name_in_the_admin(admin_client):
    image = make_image(jpeg_bytes(), "wok.jpg")
    analysis = ImageAnalysis.objects.create(
        image=image,
        status=ImageAnalysis.Status.DONE,
        labels=[raw("Wok", 88.0), raw("Homo Sapiens", 70.0, aliases=["Human"])],
        model_versions={"labels": {"rekognition:DetectLabels": "3.0"}},
    )
    labeling.apply_labels(image, analysis)
    tags = {row.label.name: row for row in ImageLabel.objects.filter(image=image)}
    assert "tableware" not in tags  # "Wok" is nobody's name or synonym: raw
    assert tags["people"].confidence == 70.0  # through the alias "Human" (mapping table)
    assert tags["people"].box == [1, 2, 3, 4]

    tableware = Label.objects.get(name="tableware")
    response = admin_client.post(
        "/admin/semantic_search/modelclass/add/",
        {"model": "rekognition", "name": "Wok", "label": tableware.pk},
    )
    assert response.status_code == 302, response.content[:2000]
    added = ModelClass.objects.get(model="rekognition", name="Wok")
    assert added.index == len(REKOGNITION_TO_LABEL)  # the next free index
    labeling.apply_labels(image, analysis)
    row = ImageLabel.objects.get(image=image, label=tableware)
    assert row.state == ImageLabel.State.AUTO and row.source == "rekognition:DetectLabels@3.0"
    assert (
        admin_client.get("/admin/semantic_search/modelclass/?model=rekognition&q=wok").status_code
        == 200
    )


def test_system_checks_name_what_an_aws_site_is_missing(settings, monkeypatch):
    from photodesk.checks import check_aws

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert check_aws(None) == []  # local providers: nothing to check
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ["photodesk.analysis.analyzers.aws.RekognitionLabelAnalyzer"],
        "TEXT_EMBEDDER": "photodesk.aws.bedrock.titan_text_embedder",
        "AWS_BEDROCK_DIMENSION": 300,
    }
    assert {m.id for m in check_aws(None)} == {
        "photodesk.E020",
        "photodesk.W021",
        "photodesk.E022",
    }
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "AWS_REGION": "eu-west-1",
        "AWS_BEDROCK_DIMENSION": 1024,
    }
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert check_aws(None) == []
