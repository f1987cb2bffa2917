"""The package was renamed from `semantic_search` to `photodesk` (the app label did not change).

Scheduled django-q2 tasks name their function by dotted path: move the ones a site already has
(index retries, syncs) to the new path, so they still run after the upgrade. Queued tasks
carry their path in a signed payload that cannot be rewritten: let the worker drain the queue
before upgrading (README, "Upgrading").
"""

from django.apps import apps as global_apps
from django.db import migrations

OLD, NEW = "semantic_search.", "photodesk."


def rename_paths(apps, schema_editor, old=OLD, new=NEW):
    try:
        Schedule = apps.get_model("django_q", "Schedule")
    except LookupError:
        return  # no django_q: nothing was ever scheduled
    for schedule in Schedule.objects.filter(func__startswith=old):
        schedule.func = new + schedule.func[len(old) :]
        if schedule.hook and schedule.hook.startswith(old):
            schedule.hook = new + schedule.hook[len(old) :]
        schedule.save(update_fields=["func", "hook"])


def restore_paths(apps, schema_editor):
    rename_paths(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("semantic_search", "0008_aws_providers")]
    if global_apps.is_installed("django_q"):
        dependencies.append(("django_q", "0001_initial"))

    operations = [migrations.RunPython(rename_paths, restore_paths)]
