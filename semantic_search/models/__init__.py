"""Photodesk's tables: analysis state and facts, the label taxonomy and image labels."""

from .analysis import AnalysisQuerySet, ImageAnalysis
from .labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem

__all__ = [
    "AnalysisQuerySet",
    "ImageAnalysis",
    "ImageLabel",
    "Label",
    "LabelDecision",
    "ModelClass",
    "ReviewItem",
]
