"""The API's views, one module per resource, all built on base.py; urls.py routes them."""

# Sites whose handler404 names semantic_search.api.views.not_found keep working.
from semantic_search.api.errors import not_found
from semantic_search.api.views.clusters import FaceClusterViewSet
from semantic_search.api.views.faces import FaceViewSet
from semantic_search.api.views.images import ImageViewSet
from semantic_search.api.views.jobs import AnalysisViewSet
from semantic_search.api.views.labels import LabelViewSet
from semantic_search.api.views.people import PersonViewSet
from semantic_search.api.views.review import ReviewViewSet
from semantic_search.api.views.search import (
    ArticleSuggestionsView,
    FaceSearchView,
    SearchView,
    SuggestView,
)

__all__ = [
    "AnalysisViewSet",
    "ArticleSuggestionsView",
    "FaceClusterViewSet",
    "FaceSearchView",
    "FaceViewSet",
    "ImageViewSet",
    "LabelViewSet",
    "PersonViewSet",
    "ReviewViewSet",
    "SearchView",
    "SuggestView",
    "not_found",
]
