"""Every endpoint: who may (anonymous, signed in without a role, journalist, reviewer, admin)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .api_support import *  # noqa: F403
from .api_support import WHO, encoded
from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db

R = "photodesk-api:"
ALLOWED = {
    "read": {"journalist", "reviewer", "admin"},
    "review": {"reviewer", "admin"},
    "admin": {"admin"},
}


@pytest.fixture
def objects(separate_index):
    """Objects the requests act on: a fresh image (so deletes do not touch the session archive),
    a pending label on it, a label, an article."""
    from cms_images.models import Article
    from photodesk.models import (
        Face,
        FaceCluster,
        ImageAnalysis,
        ImageLabel,
        Label,
        Person,
    )

    image = make_image(jpeg_bytes(), name="matrix.jpg")
    ImageAnalysis.objects.get_or_create(image=image)
    label = Label.objects.create(name="Matrix test label")
    row = ImageLabel.objects.create(
        image=image, label=label, confidence=30, source="test", state=ImageLabel.State.REVIEW
    )
    article = Article.objects.create(title="Cats at the harbour", body="A cat sleeps.")
    ana = Person.objects.create(name="Ana Matrix")
    bo = Person.objects.create(name="Bo Matrix")
    face = Face.objects.create(
        image=image, box=[1, 1, 20, 20], detection_confidence=0.9, person=ana, state="auto"
    )
    cluster = FaceCluster.objects.create()
    Face.objects.create(image=image, box=[30, 1, 20, 20], detection_confidence=0.9, cluster=cluster)
    return {
        "image": image.pk,
        "label": label.pk,
        "row": row.pk,
        "article": article.pk,
        "person": ana.pk,
        "other": bo.pk,
        "face": face.pk,
        "cluster": cluster.pk,
    }


def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("new.png", encoded("PNG"), "image/png")}


# (name, method, url(objects), body(objects) or None, who may, status when allowed)
CASES = [
    ("image list", "get", lambda o: reverse(R + "image-list"), None, "read", 200),
    (
        "image detail",
        "get",
        lambda o: reverse(R + "image-detail", args=[o["image"]]),
        None,
        "read",
        200,
    ),
    ("upload", "post", lambda o: reverse(R + "image-list"), lambda o: upload(), "read", 202),
    (
        "edit metadata",
        "patch",
        lambda o: reverse(R + "image-detail", args=[o["image"]]),
        lambda o: {"caption": "edited"},
        "review",
        200,
    ),
    (
        "delete image",
        "delete",
        lambda o: reverse(R + "image-detail", args=[o["image"]]),
        None,
        "admin",
        204,
    ),
    (
        "similar",
        "get",
        lambda o: reverse(R + "image-similar", args=[o["image"]]),
        None,
        "read",
        200,
    ),
    ("analysis list", "get", lambda o: reverse(R + "analysis-list"), None, "read", 200),
    (
        "analysis",
        "get",
        lambda o: reverse(R + "analysis-detail", args=[o["image"]]),
        None,
        "read",
        200,
    ),
    (
        "re-run",
        "post",
        lambda o: reverse(R + "analysis-rerun", args=[o["image"]]),
        None,
        "review",
        202,
    ),
    ("search", "get", lambda o: reverse(R + "search") + "?q=cat", None, "read", 200),
    (
        "suggest text",
        "post",
        lambda o: reverse(R + "suggestions"),
        lambda o: {"title": "Cats", "body": "A cat at the harbour."},
        "read",
        200,
    ),
    (
        "suggest article",
        "get",
        lambda o: reverse(R + "article-suggestions", args=[o["article"]]),
        None,
        "read",
        200,
    ),
    ("label list", "get", lambda o: reverse(R + "label-list"), None, "read", 200),
    (
        "label detail",
        "get",
        lambda o: reverse(R + "label-detail", args=[o["label"]]),
        None,
        "read",
        200,
    ),
    (
        "label create",
        "post",
        lambda o: reverse(R + "label-list"),
        lambda o: {"name": "Harbour cranes"},
        "admin",
        201,
    ),
    (
        "label edit",
        "patch",
        lambda o: reverse(R + "label-detail", args=[o["label"]]),
        lambda o: {"description": "edited"},
        "admin",
        200,
    ),
    (
        "label delete",
        "delete",
        lambda o: reverse(R + "label-detail", args=[o["label"]]),
        None,
        "admin",
        204,
    ),
    ("review queue", "get", lambda o: reverse(R + "review-list"), None, "review", 200),
    (
        "review item",
        "get",
        lambda o: reverse(R + "review-detail", args=[o["row"]]),
        None,
        "review",
        200,
    ),
    (
        "approve",
        "post",
        lambda o: reverse(R + "review-approve", args=[o["row"]]),
        None,
        "review",
        200,
    ),
    (
        "reject",
        "post",
        lambda o: reverse(R + "review-reject", args=[o["row"]]),
        None,
        "review",
        200,
    ),
    (
        "decide many",
        "post",
        lambda o: reverse(R + "review-decide"),
        lambda o: {"ids": [o["row"]], "decision": "approve"},
        "review",
        200,
    ),
    ("people", "get", lambda o: reverse(R + "person-list"), None, "read", 200),
    (
        "person",
        "get",
        lambda o: reverse(R + "person-detail", args=[o["person"]]),
        None,
        "read",
        200,
    ),
    (
        "person photos",
        "get",
        lambda o: reverse(R + "person-photos", args=[o["person"]]),
        None,
        "read",
        200,
    ),
    (
        "add person",
        "post",
        lambda o: reverse(R + "person-list"),
        lambda o: {"name": "Cy Matrix"},
        "review",
        201,
    ),
    (
        "rename person",
        "patch",
        lambda o: reverse(R + "person-detail", args=[o["person"]]),
        lambda o: {"aliases": ["Ana M."]},
        "review",
        200,
    ),
    (
        "merge people",
        "post",
        lambda o: reverse(R + "person-merge", args=[o["other"]]),
        lambda o: {"into": o["person"]},
        "review",
        200,
    ),
    ("faces", "get", lambda o: reverse(R + "face-list"), None, "read", 200),
    ("face", "get", lambda o: reverse(R + "face-detail", args=[o["face"]]), None, "read", 200),
    (
        "name face",
        "post",
        lambda o: reverse(R + "face-assign", args=[o["face"]]),
        lambda o: {"person": o["other"]},
        "review",
        200,
    ),
    (
        "reject face",
        "post",
        lambda o: reverse(R + "face-reject", args=[o["face"]]),
        None,
        "review",
        200,
    ),
    ("clusters", "get", lambda o: reverse(R + "face-cluster-list"), None, "read", 200),
    (
        "name cluster",
        "post",
        lambda o: reverse(R + "face-cluster-name", args=[o["cluster"]]),
        lambda o: {"person": o["person"]},
        "review",
        200,
    ),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "ok"), CASES, ids=[c[0] for c in CASES]
)
def test_who_may_and_who_may_not(api, objects, who, name, method, url, body, allowed, ok):
    client = api(who)
    kwargs = {}
    if body is not None:
        payload = body(objects)
        kwargs = {"data": payload, "format": "multipart" if "file" in payload else "json"}
    response = getattr(client, method)(url(objects), **kwargs)
    if who == "anonymous":
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"].startswith("Token")
    elif who in ALLOWED[allowed]:
        assert response.status_code == ok, response.content
    else:
        assert response.status_code == 403, response.content
        assert "role" in response.json()["detail"]
