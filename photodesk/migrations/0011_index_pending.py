"""ImageAnalysis.index_pending: the index owes this image a write (set with the facts, cleared
once the index took them).

Index retries a site already has scheduled (`sync_index`) predate the mark: their images are
marked here, or the retry would find nothing owed and skip the write.
"""

from django.apps import apps as global_apps
from django.db import migrations, models


def mark_scheduled_retries(apps, schema_editor):
    try:
        Schedule = apps.get_model("django_q", "Schedule")
    except LookupError:
        return  # no django_q: nothing was ever scheduled
    ImageAnalysis = apps.get_model("semantic_search", "ImageAnalysis")
    args = Schedule.objects.filter(func="photodesk.tasks.sync_index").values_list("args", flat=True)
    ids = {int(a.split(",")[0]) for a in args if a and a.split(",")[0].strip().isdigit()}
    if ids:
        ImageAnalysis.objects.filter(image_id__in=ids).update(index_pending=True)


class Migration(migrations.Migration):
    dependencies = [("semantic_search", "0010_role_groups")]
    if global_apps.is_installed("django_q"):
        dependencies.append(("django_q", "0001_initial"))

    operations = [
        migrations.AddField(
            model_name="imageanalysis",
            name="index_pending",
            field=models.BooleanField(
                db_index=True, default=False, help_text="The index entry is behind the database."
            ),
        ),
        migrations.RunPython(mark_scheduled_retries, migrations.RunPython.noop),
    ]
