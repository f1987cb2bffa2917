"""Photodesk's tables: analysis state and facts, the label taxonomy, faces and people, the
neighbours that lend words, the groups of its roles, the archive map."""

from photodesk.models.analysis import AnalysisQuerySet, ImageAnalysis
from photodesk.models.borrowing import Neighbour
from photodesk.models.insights import ArchiveMap, InsightsDashboard
from photodesk.models.labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem
from photodesk.models.people import Face, FaceCluster, FaceDecision, Person, fold
from photodesk.models.roles import RoleGroup

__all__ = [
    "ArchiveMap",
    "AnalysisQuerySet",
    "Face",
    "FaceCluster",
    "FaceDecision",
    "ImageAnalysis",
    "ImageLabel",
    "InsightsDashboard",
    "Label",
    "LabelDecision",
    "ModelClass",
    "Neighbour",
    "Person",
    "ReviewItem",
    "RoleGroup",
    "fold",
]
