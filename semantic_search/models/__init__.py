"""Photodesk's tables: analysis state and facts, the label taxonomy, faces and people."""

from .analysis import AnalysisQuerySet, ImageAnalysis
from .labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem
from .people import Face, FaceCluster, FaceDecision, Person, fold

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
    "Person",
    "ReviewItem",
    "fold",
]
