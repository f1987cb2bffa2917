"""Who may use the panel, and which images they may see in it: Wagtail's page permissions
(edit this page, or add pages) and its collection permissions ("choose" an image)."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

from photodesk.host import get_image_model


def may_write(user: Any, page_id: int | None) -> bool:
    """The user edits this page (saved), or may add pages somewhere (a page being created)."""
    if page_id is not None:
        page = Page.objects.filter(pk=page_id).first()
        return page is not None and page.permissions_for_user(user).can_edit()
    return PagePermissionPolicy().user_has_any_permission(user, ["add", "change"])


def choosable_ids(user: Any) -> set[int] | None:
    """Ids of the images in the collections the user may choose images from (None: all)."""
    policy = policy_registry.get_by_type(get_image_model())
    collections = policy.collections_user_has_any_permission_for(user, ["choose"])
    if user.is_active and user.is_superuser or collections.filter(depth=1).exists():
        return None  # the root collection: every image
    images = get_image_model().objects.filter(collection__in=collections)
    return set(images.values_list("pk", flat=True))


def may_add_images(user: Any) -> bool:
    """The user may add images to some collection (a video's frame made a still is one)."""
    policy = policy_registry.get_by_type(get_image_model())
    return policy.user_has_permission(user, "add")
