"""The API's roles as Django groups with model permissions (see photodesk/api/roles.py).

- journalist: read everything, search, suggest, upload images.
- reviewer: also decide labels on images and name, confirm, merge people; edit image
  metadata; re-run an analysis.
- admin: every permission on Photodesk's models and on the image model (taxonomy, deletes).

Permissions are normally created after all migrations ran (post_migrate); on a fresh database
they do not exist yet here, so they are created first for the apps involved.
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Lower-case model names of this app; the image model and the article model are added below.
READ = {
    "@image": True,
    "semantic_search": [
        "imageanalysis",
        "label",
        "imagelabel",
        "person",
        "face",
        "facecluster",
        "modelclass",
    ],
}
ROLES = {
    "journalist": {
        "view": READ,
        "add": {"@image": True},
    },
    "reviewer": {
        "view": {
            **READ,
            "semantic_search": [
                *READ["semantic_search"],
                "reviewitem",
                "labeldecision",
                "facedecision",
            ],
        },
        "add": {"@image": True, "semantic_search": ["person", "imagelabel"]},
        "change": {
            "@image": True,
            "semantic_search": [
                "imageanalysis",
                "imagelabel",
                "reviewitem",
                "person",
                "face",
                "facecluster",
            ],
        },
        "delete": {"semantic_search": ["person"]},
    },
}


def _image_model():
    app_label, model = settings.PHOTODESK_IMAGE_MODEL.split(".")
    return app_label, model.lower()


def _codenames(spec: dict) -> set[tuple[str, str]]:
    out = set()
    image_app, image_model = _image_model()
    for action, apps_models in spec.items():
        for app_label, models in apps_models.items():
            if app_label == "@image":
                out.add((image_app, f"{action}_{image_model}"))
                continue
            out |= {(app_label, f"{action}_{model}") for model in models}
    return out


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant(apps)


def grant(apps):
    """Create the groups and give them their permissions (which must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    image_app, image_model = _image_model()

    def perms(pairs):
        found = []
        for app_label, codename in sorted(pairs):
            found += list(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        return found

    article = []
    if image_app == "cms_images":  # the host CMS's articles: journalists read them (suggestions)
        article = [("cms_images", "view_article")]
    for name, spec in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms(_codenames(spec) | set(article)))
    admin, _ = Group.objects.get_or_create(name="admin")
    admin.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=sorted({"semantic_search", image_app, "cms_images"})
        )
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["journalist", "reviewer", "admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.PHOTODESK_IMAGE_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("semantic_search", "0006_faces_people"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
