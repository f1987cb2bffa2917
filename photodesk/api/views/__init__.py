"""The API's views, one module per resource, all built on base.py; urls.py routes them."""

# Sites whose handler404 names photodesk.api.views.not_found keep working.
from photodesk.api.errors import not_found
from photodesk.api.views.alerts import AlertRuleViewSet, SavedSearchViewSet
from photodesk.api.views.clusters import FaceClusterViewSet
from photodesk.api.views.duplicates import DuplicateGroupViewSet
from photodesk.api.views.faces import FaceViewSet
from photodesk.api.views.images import ImageViewSet
from photodesk.api.views.jobs import AnalysisViewSet
from photodesk.api.views.labels import LabelViewSet
from photodesk.api.views.people import PersonViewSet
from photodesk.api.views.review import ReviewViewSet
from photodesk.api.views.search import (
    ArticleSuggestionsView,
    FaceSearchView,
    SearchView,
    SuggestView,
)
from photodesk.api.views.series import ImageSeriesView, SeriesViewSet
from photodesk.api.views.videos import VideoViewSet

__all__ = [
    "AlertRuleViewSet",
    "AnalysisViewSet",
    "ArticleSuggestionsView",
    "DuplicateGroupViewSet",
    "FaceClusterViewSet",
    "FaceSearchView",
    "FaceViewSet",
    "ImageSeriesView",
    "ImageViewSet",
    "LabelViewSet",
    "PersonViewSet",
    "ReviewViewSet",
    "SavedSearchViewSet",
    "SearchView",
    "SeriesViewSet",
    "SuggestView",
    "VideoViewSet",
    "not_found",
]
