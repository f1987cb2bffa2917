"""/api/v1/… (include with namespace "photodesk-api")."""

from __future__ import annotations

from django.apps import apps
from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from photodesk.api import views
from photodesk.api.filters import ID
from photodesk.api.views import insights
from photodesk.api.views.crops import ImageCropRenditionView, ImageCropsView

app_name = "photodesk-api"

router = DefaultRouter()
router.register("images", views.ImageViewSet, basename="image")
router.register("analyses", views.AnalysisViewSet, basename="analysis")
router.register("labels", views.LabelViewSet, basename="label")
router.register("review", views.ReviewViewSet, basename="review")
router.register("people", views.PersonViewSet, basename="person")
router.register("faces", views.FaceViewSet, basename="face")
router.register("face-clusters", views.FaceClusterViewSet, basename="face-cluster")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")
router.register("alert-rules", views.AlertRuleViewSet, basename="alert-rule")
router.register("videos", views.VideoViewSet, basename="video")
router.register("duplicates", views.DuplicateGroupViewSet, basename="duplicate-group")
router.register("series", views.SeriesViewSet, basename="series")

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/faces/", views.FaceSearchView.as_view(), name="search-faces"),
    path("suggestions/", views.SuggestView.as_view(), name="suggestions"),
    re_path(
        rf"^articles/(?P<pk>{ID})/suggestions/$",
        views.ArticleSuggestionsView.as_view(),
        name="article-suggestions",
    ),
    re_path(rf"^images/(?P<pk>{ID})/crops/$", ImageCropsView.as_view(), name="image-crops"),
    re_path(
        rf"^images/(?P<pk>{ID})/crops/(?P<ratio>[0-9]+x[0-9]+)/$",
        ImageCropRenditionView.as_view(),
        name="image-crop",
    ),
    re_path(
        rf"^images/(?P<pk>{ID})/series/$", views.ImageSeriesView.as_view(), name="image-series"
    ),
    path("insights/states/", insights.AnalysisStatesView.as_view(), name="insights-states"),
    path("insights/ingest/", insights.IngestView.as_view(), name="insights-ingest"),
    path("insights/labels/", insights.TopLabelsView.as_view(), name="insights-labels"),
    path(
        "insights/labels-over-time/",
        insights.LabelsOverTimeView.as_view(),
        name="insights-labels-over-time",
    ),
    path("insights/review-backlog/", insights.ReviewBacklogView.as_view(), name="insights-backlog"),
    path("insights/people/", insights.PeopleView.as_view(), name="insights-people"),
    path("insights/flagged/", insights.FlaggedView.as_view(), name="insights-flagged"),
    path("insights/map/", insights.MapPointsView.as_view(), name="insights-map"),
    path("", include(router.urls)),
]

# Tokens for programs, where the site has DRF's token app (its model needs it installed).
if apps.is_installed("rest_framework.authtoken"):
    from photodesk.api.views.auth import TokenView

    urlpatterns.insert(0, path("auth/token/", TokenView.as_view(), name="token"))
