"""AWS stand-ins for the tests: real boto3 clients with botocore's Stubber (which also checks
every request and response against the service model), and responses shaped like the
examples in the AWS documentation. Nothing of ours is mocked."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import boto3
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from photodesk.aws import clients

REGION = "eu-west-1"
AWS_TEST_SETTINGS = {
    "AWS_REGION": REGION,
    "AWS_RETRY_BACKOFF": 0.01,  # real backoff, short pauses
    "AWS_RETRY_MAX_BACKOFF": 0.05,
    "AWS_MAX_ATTEMPTS": 4,
}
REKOGNITION_ANALYZERS = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.aws.RekognitionLabelAnalyzer",
    "photodesk.analysis.analyzers.aws.RekognitionFaceAnalyzer",
    "photodesk.analysis.analyzers.aws.RekognitionTextAnalyzer",
    "photodesk.analysis.analyzers.aws.RekognitionModerationAnalyzer",
]


def aws_client(service: str):
    return boto3.session.Session().client(
        service,
        region_name=REGION,
        aws_access_key_id="AKIATESTTESTTESTTEST",
        aws_secret_access_key="test-secret",
    )


@contextmanager
def stubbed(*services: str) -> Iterator[dict[str, Stubber]]:
    """Stubbed clients for `services`, installed as the ones Photodesk uses; on leaving the
    block every queued response must have been used."""
    with ExitStack() as stack:
        stubs = {}
        for service in services:
            client = aws_client(service)
            stub = stack.enter_context(Stubber(client))
            stack.enter_context(clients.override(service, client))
            stubs[service] = stub
        yield stubs
        for stub in stubs.values():
            stub.assert_no_pending_responses()


def clear_titan_caches() -> None:
    """Forget the Titan vectors this process cached, so a test sees every request."""
    from photodesk.aws.bedrock import TitanEmbedder
    from photodesk.inference import registry

    for model in list(registry._models.values()):
        if isinstance(model, TitanEmbedder):
            model.clear_cache()


def throttle(stub: Stubber, method: str, code: str = "ThrottlingException") -> None:
    stub.add_client_error(
        method, service_error_code=code, service_message="Rate exceeded", http_status_code=400
    )


def box(left: float, top: float, width: float, height: float) -> dict:
    return {"Width": width, "Height": height, "Left": left, "Top": top}


# -- Rekognition (shapes of the DetectLabels/DetectFaces/... examples in the Developer Guide) --
def detect_labels(*labels: tuple) -> dict:
    """labels: (name, confidence, parents, [instance boxes], aliases)."""
    out = []
    for name, confidence, parents, instances, *rest in labels:
        out.append(
            {
                "Name": name,
                "Confidence": confidence,
                "Instances": [{"BoundingBox": b, "Confidence": confidence} for b in instances],
                "Parents": [{"Name": p} for p in parents],
                "Aliases": [{"Name": a} for a in (rest[0] if rest else [])],
                "Categories": [{"Name": "Test Category"}],
            }
        )
    return {"Labels": out, "LabelModelVersion": "3.0"}


def face_detail(
    bounding: dict, confidence: float = 99.9, emotion: str = "HAPPY", sharpness: float = 89.0
) -> dict:
    return {
        "BoundingBox": bounding,
        "AgeRange": {"Low": 35, "High": 47},
        "Smile": {"Value": emotion == "HAPPY", "Confidence": 97.0},
        "Eyeglasses": {"Value": False, "Confidence": 99.3},
        "Sunglasses": {"Value": False, "Confidence": 99.5},
        "Gender": {"Value": "Female", "Confidence": 99.0},
        "Beard": {"Value": False, "Confidence": 97.9},
        "Mustache": {"Value": False, "Confidence": 99.4},
        "EyesOpen": {"Value": True, "Confidence": 98.7},
        "MouthOpen": {"Value": False, "Confidence": 95.6},
        "Emotions": [
            {"Type": emotion, "Confidence": 92.1},
            {"Type": "CALM", "Confidence": 5.2},
            {"Type": "SURPRISED", "Confidence": 1.1},
        ],
        "Landmarks": [{"Type": "eyeLeft", "X": 0.42, "Y": 0.33}],
        "Pose": {"Roll": -2.4, "Yaw": 8.9, "Pitch": 1.2},
        "Quality": {"Brightness": 61.2, "Sharpness": sharpness},
        "Confidence": confidence,
    }


def detect_faces(*faces: dict) -> dict:
    return {"FaceDetails": list(faces)}


def recognize_celebrities(*celebrities: tuple, unrecognized: tuple = ()) -> dict:
    """celebrities: (name, id, bounding box, match confidence)."""
    return {
        "CelebrityFaces": [
            {
                "Urls": [f"www.wikidata.org/wiki/Q{celebrity_id}"],
                "Name": name,
                "Id": celebrity_id,
                "Face": {
                    "BoundingBox": bounding,
                    "Confidence": 99.99,
                    "Pose": {"Roll": -2.4, "Yaw": 8.9, "Pitch": 1.2},
                    "Quality": {"Brightness": 61.2, "Sharpness": 89.0},
                    "Emotions": [{"Type": "HAPPY", "Confidence": 92.1}],
                    "Smile": {"Value": True, "Confidence": 97.0},
                },
                "MatchConfidence": match,
                "KnownGender": {"Type": "Female"},
            }
            for name, celebrity_id, bounding, match in celebrities
        ],
        "UnrecognizedFaces": [
            {"BoundingBox": b, "Confidence": 99.0, "Pose": {"Roll": 0.0, "Yaw": 0.0, "Pitch": 0.0}}
            for b in unrecognized
        ],
    }


def detect_text(*lines: tuple) -> dict:
    """lines: (text, confidence, bounding box); each line also comes as its words."""
    detections = []
    for number, (text, confidence, bounding) in enumerate(lines):
        polygon = [
            {"X": bounding["Left"], "Y": bounding["Top"]},
            {"X": bounding["Left"] + bounding["Width"], "Y": bounding["Top"]},
            {"X": bounding["Left"] + bounding["Width"], "Y": bounding["Top"] + bounding["Height"]},
            {"X": bounding["Left"], "Y": bounding["Top"] + bounding["Height"]},
        ]
        detections.append(
            {
                "DetectedText": text,
                "Type": "LINE",
                "Id": number,
                "Confidence": confidence,
                "Geometry": {"BoundingBox": bounding, "Polygon": polygon},
            }
        )
        for word in text.split():
            detections.append(
                {
                    "DetectedText": word,
                    "Type": "WORD",
                    "Id": 100 + len(detections),
                    "ParentId": number,
                    "Confidence": confidence,
                    "Geometry": {"BoundingBox": bounding, "Polygon": polygon},
                }
            )
    return {"TextDetections": detections, "TextModelVersion": "3.0"}


def detect_moderation_labels(*labels: tuple) -> dict:
    """labels: (name, confidence, parent name or "")."""
    return {
        "ModerationLabels": [
            {"Confidence": c, "Name": n, "ParentName": p, "TaxonomyLevel": 2 if p else 1}
            for n, c, p in labels
        ],
        "ModerationModelVersion": "7.0",
    }


# -- Comprehend and Bedrock --
def batch_detect_entities(*documents: list[tuple]) -> dict:
    """documents: per document, [(text, type, score)] (offsets are made up but ordered)."""
    return {
        "ResultList": [
            {
                "Index": index,
                "Entities": [
                    {
                        "Score": score,
                        "Type": kind,
                        "Text": text,
                        "BeginOffset": 10 * n,
                        "EndOffset": 10 * n + len(text),
                    }
                    for n, (text, kind, score) in enumerate(entities)
                ],
            }
            for index, entities in enumerate(documents)
        ],
        "ErrorList": [],
    }


def titan_embedding(vector: list[float]) -> dict:
    data = json.dumps({"embedding": vector, "inputTextTokenCount": 7}).encode()
    return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}


__all__ = ["ANY", "Stubber"]
