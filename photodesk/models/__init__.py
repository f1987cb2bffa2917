"""Photodesk's tables: analysis state and facts, the label taxonomy, faces and people, the
neighbours that lend words, the groups of its roles, the index's outbox, saved searches, alert
rules and reports, the archive map, each image's focal region (crops), videos with their
timed facts, groups of duplicate images, and series of frames."""

from photodesk.models.alerts import (
    AlertDelivery,
    AlertEvent,
    AlertRule,
    Report,
    ReportFile,
    SavedSearch,
)
from photodesk.models.analysis import AnalysisQuerySet, ImageAnalysis
from photodesk.models.borrowing import Neighbour
from photodesk.models.crops import FocalRegion
from photodesk.models.duplicates import (
    DuplicateGroup,
    DuplicateGroupQuerySet,
    DuplicateMember,
    ImageFingerprint,
)
from photodesk.models.insights import (
    ArchiveMap,
    IngestRollup,
    InsightsDashboard,
    LabelRollup,
    RollupBuild,
)
from photodesk.models.labels import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem
from photodesk.models.outbox import IndexRemoval
from photodesk.models.people import Face, FaceCluster, FaceDecision, Person, fold
from photodesk.models.roles import RoleGroup
from photodesk.models.series import Series, SeriesMember
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
    "AlertDelivery",
    "AlertEvent",
    "AlertRule",
    "ArchiveMap",
    "DuplicateGroup",
    "DuplicateGroupQuerySet",
    "DuplicateMember",
    "IngestRollup",
    "LabelRollup",
    "RollupBuild",
    "AnalysisQuerySet",
    "Face",
    "FaceCluster",
    "FaceDecision",
    "FocalRegion",
    "ImageAnalysis",
    "ImageFingerprint",
    "ImageLabel",
    "IndexRemoval",
    "InsightsDashboard",
    "Label",
    "LabelDecision",
    "ModelClass",
    "Neighbour",
    "Person",
    "Report",
    "ReportFile",
    "ReviewItem",
    "RoleGroup",
    "SavedSearch",
    "Series",
    "SeriesMember",
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
