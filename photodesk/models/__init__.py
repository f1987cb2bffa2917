"""Photodesk's tables: analysis state and facts, the label taxonomy, faces and people, the
neighbours that lend words, the groups of its roles, and videos with their timed facts."""

from photodesk.models.analysis import AnalysisQuerySet, ImageAnalysis
from photodesk.models.borrowing import Neighbour
from photodesk.models.labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem
from photodesk.models.people import Face, FaceCluster, FaceDecision, Person, fold
from photodesk.models.roles import RoleGroup
from photodesk.models.usage import UsageWords, UsageWordsQuerySet
from photodesk.models.video import (
    VideoAnalysis,
    VideoLabelRange,
    VideoPersonSpan,
    VideoShot,
    VideoStill,
    VideoText,
)

__all__ = [
    "AnalysisQuerySet",
    "Face",
    "FaceCluster",
    "FaceDecision",
    "ImageAnalysis",
    "ImageLabel",
    "Label",
    "LabelDecision",
    "ModelClass",
    "Neighbour",
    "Person",
    "ReviewItem",
    "RoleGroup",
    "UsageWords",
    "UsageWordsQuerySet",
    "VideoAnalysis",
    "VideoLabelRange",
    "VideoPersonSpan",
    "VideoShot",
    "VideoStill",
    "VideoText",
    "fold",
]
