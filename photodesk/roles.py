"""Photodesk's roles: Django groups with model permissions, created on request by
`manage.py photodesk_roles` (never by a migration: a site's own groups are its business).

- journalists: read everything, search, suggest, upload images, keep their saved searches;
- reviewers: also decide labels on images and name, confirm, merge people; edit image
  metadata; remove an article's words from an image; re-run an analysis; view the insights
  (dashboard, map of the archive); resolve duplicate groups by linking (deleting the copies
  needs the image delete permission: admins);
- admins: every permission on Photodesk's models and on the image model (the taxonomy,
  deletes, alert rules and reports).

The API checks permissions, not group names (api/permissions.py): a user given the same
permissions another way passes too. This module is the one place that names the groups and
says what each may do. It changes only groups it created itself (RoleGroup rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from photodesk.host import get_article_model, get_image_model, get_video_model
from photodesk.models import RoleGroup

APP = "semantic_search"  # Photodesk's app label (the package's name before the rename)

# Photodesk's models each role reads ("@image": the site's image model, "@article": its
# article model, when it has one).
READ = (
    "@image",
    "@article",
    "@video",
    "videoanalysis",
    "imageanalysis",
    "label",
    "imagelabel",
    "person",
    "face",
    "facecluster",
    "modelclass",
    "usagewords",
    "duplicategroup",
)


@dataclass(frozen=True)
class Role:
    key: str  # stable: recorded on RoleGroup, used by code and tests
    name: str  # the group's name, as people see it in the admin
    # action → models ("view", "add", "change", "delete"); None: every permission of
    # Photodesk's app and the image model.
    grants: dict[str, tuple[str, ...]] | None = field(default=None)


ROLES = (
    Role(
        "journalist",
        "Photodesk journalists",
        {
            "view": (*READ, "savedsearch"),
            "add": ("@image", "@video", "savedsearch"),
            "change": ("savedsearch",),
            "delete": ("savedsearch",),
        },
    ),
    Role(
        "reviewer",
        "Photodesk reviewers",
        {
            # "insights": the "view insights" permission (codename view_insights), which
            # opens the dashboard, the map and the insights API.
            "view": (
                *READ,
                "reviewitem",
                "labeldecision",
                "facedecision",
                "savedsearch",
                "insights",
            ),
            "add": ("@image", "@video", "person", "imagelabel", "savedsearch"),
            "change": (
                "@image",
                "imageanalysis",
                "imagelabel",
                "reviewitem",
                "person",
                "face",
                "facecluster",
                "usagewords",
                "savedsearch",
                "duplicategroup",
            ),
            "delete": ("person", "savedsearch"),
        },
    ),
    Role("admin", "Photodesk admins"),
)
ROLE_NAMES = {role.key: role.name for role in ROLES}


def _model_q(model: str, codename: str) -> Q | None:
    """Q for one permission; `model` is a model name of Photodesk's app, "@image",
    "@article" or "@video" (None when the site has no such model)."""
    if model.startswith("@"):
        site_model = {
            "@image": get_image_model,
            "@article": get_article_model,
            "@video": get_video_model,
        }[model]()
        if site_model is None:
            return None
        opts = site_model._meta
        return Q(
            content_type__app_label=opts.app_label,
            codename=f"{codename}_{opts.model_name}",
        )
    return Q(content_type__app_label=APP, codename=f"{codename}_{model}")


def permissions_of(role: Role) -> list[Permission]:
    """The permissions `role` grants on this site (they exist once `migrate` has run)."""
    if role.grants is None:
        opts = get_image_model()._meta
        query = Q(content_type__app_label=APP) | Q(
            content_type__app_label=opts.app_label, content_type__model=opts.model_name
        )
        article = _model_q("@article", "view")
        if article is not None:
            query |= article
        video = get_video_model()
        if video is not None:
            query |= Q(
                content_type__app_label=video._meta.app_label,
                content_type__model=video._meta.model_name,
            )
    else:
        query = Q(pk__in=[])
        for action, models in role.grants.items():
            for model in models:
                if (q := _model_q(model, action)) is not None:
                    query |= q
    return list(Permission.objects.filter(query).order_by("pk"))


class NotOurGroup(Exception):
    """A group with a role's name exists and was not created by Photodesk."""


@dataclass
class Outcome:
    role: Role
    action: str  # "created", "updated", "unchanged", "differs" (not updated without force)


@transaction.atomic
def ensure_roles(*, force: bool = False) -> list[Outcome]:
    """Create the role groups that are missing, with their permissions. A role group created
    earlier whose permissions differ (a newer Photodesk, or someone edited it) is updated only
    with `force`. A group of the same name that Photodesk did not create is never touched:
    NotOurGroup is raised before anything is written."""
    ours = {rg.role: rg.group for rg in RoleGroup.objects.select_related("group")}
    foreign = [
        role.name
        for role in ROLES
        if role.key not in ours and Group.objects.filter(name=role.name).exists()
    ]
    if foreign:
        raise NotOurGroup(
            f"Group{'s' if len(foreign) > 1 else ''} {', '.join(map(repr, foreign))} already "
            "exist(s) and Photodesk did not create it: rename it, or give its users "
            "Photodesk's permissions yourself. Nothing was changed."
        )
    outcomes = []
    for role in ROLES:
        wanted = permissions_of(role)
        group = ours.get(role.key)
        if group is None:
            group = Group.objects.create(name=role.name)
            RoleGroup.objects.create(role=role.key, group=group)
            group.permissions.set(wanted)
            outcomes.append(Outcome(role, "created"))
            continue
        if set(group.permissions.values_list("pk", flat=True)) == {p.pk for p in wanted}:
            outcomes.append(Outcome(role, "unchanged"))
        elif force:
            group.permissions.set(wanted)
            outcomes.append(Outcome(role, "updated"))
        else:
            outcomes.append(Outcome(role, "differs"))
    return outcomes


def role_group(key: str) -> Group:
    """The group of a role ("journalist", "reviewer", "admin"), as created by ensure_roles."""
    return RoleGroup.objects.select_related("group").get(role=key).group
