"""Rekognition analyzers: the same facts as the local analyzers, from Amazon Rekognition.

Each one replaces a local analyzer under the same key, so a site mixes providers by listing
the ones it wants in PHOTODESK["ANALYZERS"] (e.g. Rekognition labels with local faces):

    labels  RekognitionLabelAnalyzer       DetectLabels
    faces   RekognitionFaceAnalyzer        DetectFaces (+ RecognizeCelebrities)
    text    RekognitionTextAnalyzer        DetectText
    safety  RekognitionModerationAnalyzer  DetectModerationLabels

and, with a multimodal Titan model as the text embedder, BedrockImageEmbeddingAnalyzer
(key "image_embedding"): the image's own vector, in the space of the query vectors.

Like every analyzer they are pure (photo in, facts out, no database); the labels they return
are mapped onto the taxonomy by labels/service.py, the faces stored as Face rows by
people/recognition.py. Model versions come from the responses (LabelModelVersion, …) and are
recorded per fact.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import numpy as np

from photodesk.analysis.analyzers.base import (
    Analyzer,
    AnalyzerError,
    Detection,
    FaceFact,
    Facts,
    Photo,
    TextLine,
)
from photodesk.analysis.embedding import embedder
from photodesk.aws import calls, clients
from photodesk.aws.bedrock import TitanMultimodalEmbedder
from photodesk.aws.images import pixel_box, pixel_polygon, rekognition_image
from photodesk.conf import photodesk_settings
from photodesk.people.recognition import box_iou

PROVIDER = "rekognition"


class RekognitionAnalyzer(Analyzer):
    """Common parts: the client, the calls, the model version the last response named."""

    operations: ClassVar[tuple[str, ...]] = ()
    version_key: ClassVar[str] = ""

    def __init__(self) -> None:
        # Analyzer instances are shared by a process; the version is per thread's last call.
        self._last = threading.local()

    def api_calls(self) -> dict[str, int]:
        return {f"rekognition:{op}": 1 for op in self.operations}

    def call(self, operation: str, photo: Photo, **params: Any) -> dict[str, Any]:
        client = clients.client("rekognition")
        response = calls.call(client, operation, Image=rekognition_image(photo), **params)
        versions = getattr(self._last, "versions", {})
        version = response.get(self.version_key) if self.version_key else None
        # Not every operation names its model version (DetectFaces, RecognizeCelebrities
        # don't): then the API version at least says which contract answered.
        api = client.meta.service_model.api_version
        versions[f"rekognition:{operation}"] = str(version or f"api-{api}")
        self._last.versions = versions
        return response

    def analyze(self, photo: Photo) -> Facts:
        self._last.versions = {}
        return self.facts(photo)

    def facts(self, photo: Photo) -> Facts:
        raise NotImplementedError

    def model_versions(self) -> dict[str, str]:
        return dict(
            getattr(self._last, "versions", {}) or {f"rekognition:{self.operations[0]}": ""}
        )


class RekognitionLabelAnalyzer(RekognitionAnalyzer):
    """DetectLabels → raw detections (kind "class", with parents and pixel boxes) plus their
    parents as concepts. No ImageNet evidence: `concepts` and `visual_embedding` are cleared
    so a site switching providers keeps nothing stale."""

    key = "labels"
    operations = ("DetectLabels",)
    version_key = "LabelModelVersion"

    def facts(self, photo: Photo) -> Facts:
        response = self.call(
            "DetectLabels",
            photo,
            MaxLabels=photodesk_settings.AWS_REKOGNITION_MAX_LABELS,
            MinConfidence=photodesk_settings.AWS_REKOGNITION_MIN_CONFIDENCE,
        )
        width, height = photo.pixels.size
        labels: list[Detection] = []
        parents: dict[str, float] = {}
        for item in response.get("Labels", []):
            confidence = round(float(item["Confidence"]), 1)
            names = [p["Name"] for p in item.get("Parents", [])]
            labels.append(
                {
                    "name": item["Name"],
                    "confidence": confidence,
                    "source": PROVIDER,
                    "kind": "class",
                    "provider": PROVIDER,
                    "parents": names,
                    "aliases": [a["Name"] for a in item.get("Aliases", [])],
                    "boxes": [
                        pixel_box(i["BoundingBox"], width, height)
                        for i in item.get("Instances", [])
                        if i.get("BoundingBox")
                    ],
                }
            )
            for name in names:
                parents[name] = max(parents.get(name, 0.0), confidence)
        detected = {label["name"] for label in labels}
        labels += [
            {
                "name": n,
                "confidence": c,
                "source": PROVIDER,
                "kind": "concept",
                "provider": PROVIDER,
            }
            for n, c in parents.items()
            if n not in detected
        ]
        labels.sort(key=lambda label: -label["confidence"])
        return {"labels": labels, "concepts": {}, "visual_embedding": None}


def _emotion(face: dict) -> tuple[str, float | None]:
    emotions = sorted(face.get("Emotions", []), key=lambda e: -e.get("Confidence", 0))
    if not emotions:
        return "", None
    return emotions[0]["Type"].lower(), round(emotions[0]["Confidence"] / 100, 3)


def face_quality(face: dict) -> float:
    """0–1 from Rekognition's Quality: mostly sharpness, less for too dark or too bright."""
    quality = face.get("Quality", {})
    sharpness = float(quality.get("Sharpness", 0.0)) / 100
    brightness = float(quality.get("Brightness", 50.0)) / 100
    exposure = 1.0 - min(1.0, abs(brightness - 0.5) * 2)
    return round(0.75 * sharpness + 0.25 * exposure, 3)


# A face is worth naming when it is big enough, sharp enough and not turned away.
MIN_FACE_PIXELS = 40
MIN_QUALITY = 0.3
MAX_YAW = 45.0


def face_fact(face: dict, width: int, height: int) -> FaceFact:
    """One Rekognition FaceDetail → the face contract (box in pixels, no embedding)."""
    box = pixel_box(face["BoundingBox"], width, height)
    expression, expression_confidence = _emotion(face)
    quality = face_quality(face)
    pose = face.get("Pose", {})
    usable = (
        min(box[2], box[3]) >= MIN_FACE_PIXELS
        and quality >= MIN_QUALITY
        and abs(float(pose.get("Yaw", 0.0))) <= MAX_YAW
    )

    def flag(name: str) -> bool | None:
        value = face.get(name)
        return None if value is None else bool(value.get("Value"))

    age = face.get("AgeRange")
    return {
        "box": box,
        "score": round(float(face.get("Confidence", 0.0)) / 100, 4),
        "embedding": None,
        "expression": expression,
        "expression_confidence": expression_confidence,
        "quality": quality,
        "usable": usable,
        "attributes": {
            "age_range": [age["Low"], age["High"]] if age else None,
            "smile": flag("Smile"),
            "eyeglasses": flag("Eyeglasses"),
            "sunglasses": flag("Sunglasses"),
            "eyes_open": flag("EyesOpen"),
            "pose": {k.lower(): round(float(v), 1) for k, v in pose.items()},
            "emotions": {
                e["Type"].lower(): round(e["Confidence"], 1) for e in face.get("Emotions", [])
            },
        },
    }


class RekognitionFaceAnalyzer(RekognitionAnalyzer):
    """DetectFaces (all attributes) → faces; with AWS_REKOGNITION_CELEBRITIES (and
    FACE_RECOGNITION on) also RecognizeCelebrities, whose matches name the face they overlap
    (or are added as faces of their own) through `person`."""

    key = "faces"
    operations = ("DetectFaces", "RecognizeCelebrities")

    def celebrities(self) -> bool:
        return bool(
            photodesk_settings.AWS_REKOGNITION_CELEBRITIES and photodesk_settings.FACE_RECOGNITION
        )

    def api_calls(self) -> dict[str, int]:
        calls_ = {"rekognition:DetectFaces": 1}
        if self.celebrities():
            calls_["rekognition:RecognizeCelebrities"] = 1
        return calls_

    def facts(self, photo: Photo) -> Facts:
        width, height = photo.pixels.size
        response = self.call("DetectFaces", photo, Attributes=["ALL"])
        faces = [face_fact(f, width, height) for f in response.get("FaceDetails", [])]
        if self.celebrities() and faces:
            found = self.call("RecognizeCelebrities", photo)
            for celebrity in found.get("CelebrityFaces", []):
                fact = face_fact(celebrity["Face"], width, height)
                person = {
                    "name": celebrity["Name"],
                    "external_ids": {
                        "rekognition": celebrity["Id"],
                        "urls": celebrity.get("Urls", []),
                    },
                    "confidence": round(float(celebrity.get("MatchConfidence", 0.0)), 1),
                }
                best = max(faces, key=lambda f: box_iou(f["box"], fact["box"]))
                if box_iou(best["box"], fact["box"]) >= 0.5 and "person" not in best:
                    best["person"] = person
                else:
                    faces.append({**fact, "person": person})
        faces.sort(key=lambda f: (f["box"][0], f["box"][1]))
        return {"faces": faces, "face_count": len(faces)}


class RekognitionTextAnalyzer(RekognitionAnalyzer):
    """DetectText → the lines (not the words, which repeat them), in reading order."""

    key = "text"
    operations = ("DetectText",)
    version_key = "TextModelVersion"

    def facts(self, photo: Photo) -> Facts:
        response = self.call("DetectText", photo)
        width, height = photo.pixels.size
        minimum = photodesk_settings.AWS_REKOGNITION_MIN_CONFIDENCE
        lines: list[TextLine] = [
            {
                "text": item["DetectedText"].strip(),
                "confidence": round(float(item["Confidence"]) / 100, 3),
                "box": pixel_polygon(item["Geometry"]["Polygon"], width, height)
                if item.get("Geometry", {}).get("Polygon")
                else pixel_box(item.get("Geometry", {}).get("BoundingBox", {}), width, height),
            }
            for item in response.get("TextDetections", [])
            if item.get("Type") == "LINE"
            and item.get("DetectedText", "").strip()
            and item.get("Confidence", 0) >= minimum
        ]
        return {"ocr_lines": lines, "ocr_text": "\n".join(line["text"] for line in lines)}


class RekognitionModerationAnalyzer(RekognitionAnalyzer):
    """DetectModerationLabels → safety score (the most confident label, 0–1) and flagged at
    SAFETY_FLAG_THRESHOLD, as with the local classifier."""

    key = "safety"
    operations = ("DetectModerationLabels",)
    version_key = "ModerationModelVersion"

    def facts(self, photo: Photo) -> Facts:
        response = self.call(
            "DetectModerationLabels",
            photo,
            MinConfidence=photodesk_settings.AWS_REKOGNITION_MODERATION_MIN_CONFIDENCE,
        )
        score = max(
            (float(label["Confidence"]) / 100 for label in response.get("ModerationLabels", [])),
            default=0.0,
        )
        return {
            "safety_score": round(score, 4),
            "flagged": score >= photodesk_settings.SAFETY_FLAG_THRESHOLD,
        }


class BedrockImageEmbeddingAnalyzer(Analyzer):
    """The image embedded by Bedrock Titan multimodal (the configured TEXT_EMBEDDER, so text
    queries and images share one space); describe.image_vector adds it to the image's vector.
    """

    key = "image_embedding"

    def embedder(self) -> Any:
        model = embedder()
        if not isinstance(model, TitanMultimodalEmbedder):
            raise AnalyzerError(
                "BedrockImageEmbeddingAnalyzer needs a multimodal text embedder: set "
                "TEXT_EMBEDDER to photodesk.aws.bedrock.titan_text_embedder and "
                "AWS_BEDROCK_EMBEDDING_MODEL to amazon.titan-embed-image-v1."
            )
        return model

    def api_calls(self) -> dict[str, int]:
        return {"bedrock-runtime:InvokeModel": 1}

    def model_versions(self) -> dict[str, str]:
        model = self.embedder()
        return {model.name: model.version}

    def analyze(self, photo: Photo) -> Facts:
        vector = self.embedder().embed_image(photo.pixels)
        return {"image_embedding": vector.astype(np.float32).tobytes()}
