"""Who may do what: Django model permissions, which `manage.py photodesk_roles` grants to
Photodesk's groups (photodesk/roles.py):

- journalists: read everything, search, suggest, upload images;
- reviewers: also decide labels on images, name/merge people, edit image metadata, re-run
  an analysis;
- admins: also the taxonomy (labels), deleting images.

Views say which permissions each action needs (`action_perms`); a superuser, or any user given
the same permissions another way, passes too. Anonymous requests get 401, others without the
permission 403.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from photodesk.host import get_image_model, get_video_model


def image_perm(action: str) -> str:
    """`cms_images.add_image` etc. for the configured image model."""
    opts = get_image_model()._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def video_perm(action: str) -> str:
    """`cms_images.add_video` etc. for the configured video model (none: nobody has it)."""
    model = get_video_model()
    if model is None:
        return "semantic_search.no_video_model"
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def resolve(perm: str) -> str:
    """Permissions are written "@image.view" for the configured image model, "@video.view"
    for the video model."""
    if perm.startswith("@image."):
        return image_perm(perm.split(".", 1)[1])
    if perm.startswith("@video."):
        return video_perm(perm.split(".", 1)[1])
    return perm


class ActionPermission(BasePermission):
    """The permissions `view.action_perms[view.action]` (or `[request.method]` for plain
    APIViews, or the "*" entry) are all required; an action not listed is refused."""

    message = "Your role does not allow this."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method == "OPTIONS":  # describes the endpoint, changes nothing
            return True
        perms_by_action: dict[str, tuple[str, ...]] = getattr(view, "action_perms", {})
        key = getattr(view, "action", None) or request.method.lower()
        needed = perms_by_action.get(key, perms_by_action.get("*"))
        if needed is None:
            return False
        return user.has_perms([resolve(p) for p in needed])


# Shorthands used by the views.
READ_IMAGES = ("@image.view",)
UPLOAD_IMAGES = ("@image.add",)
EDIT_IMAGES = ("@image.change",)
DELETE_IMAGES = ("@image.delete",)
READ_VIDEOS = ("@video.view",)
UPLOAD_VIDEOS = ("@video.add",)
DELETE_VIDEOS = ("@video.delete",)
READ_ANALYSES = ("semantic_search.view_imageanalysis",)
RERUN_ANALYSES = ("semantic_search.change_imageanalysis",)
READ_LABELS = ("semantic_search.view_label",)
REVIEW_LABELS = ("semantic_search.view_imagelabel", "semantic_search.change_imagelabel")
READ_PEOPLE = ("semantic_search.view_person", "semantic_search.view_face")
REVIEW_PEOPLE = (*READ_PEOPLE, "semantic_search.change_person", "semantic_search.change_face")
MERGE_PEOPLE = (*REVIEW_PEOPLE, "semantic_search.delete_person")
