"""Photodesk's tables: analysis state and facts, the label taxonomy, faces and people, the
groups of its roles, the index's outbox."""

from photodesk.models.analysis import AnalysisQuerySet, ImageAnalysis
from photodesk.models.labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem
from photodesk.models.outbox import IndexRemoval
from photodesk.models.people import Face, FaceCluster, FaceDecision, Person, fold
from photodesk.models.roles import RoleGroup

__all__ = [
    "AnalysisQuerySet",
    "Face",
    "FaceCluster",
    "FaceDecision",
    "ImageAnalysis",
    "ImageLabel",
    "IndexRemoval",
    "Label",
    "LabelDecision",
    "ModelClass",
    "Person",
    "ReviewItem",
    "RoleGroup",
    "fold",
]
