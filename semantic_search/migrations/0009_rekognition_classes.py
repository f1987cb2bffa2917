"""Map Amazon Rekognition's label names onto the taxonomy (ModelClass rows, model
"rekognition"); names not listed map by label name or synonym at run time.

Frozen in data/rekognition_classes_v1.json (made from semantic_search/taxonomy/rekognition.py).
No schema change.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_name("data") / "rekognition_classes_v1.json"


def load(apps, schema_editor):
    Label = apps.get_model("semantic_search", "Label")
    ModelClass = apps.get_model("semantic_search", "ModelClass")
    labels = {label.name: label for label in Label.objects.all()}
    for row in json.loads(DATA.read_text())["rekognition"]:
        ModelClass.objects.update_or_create(
            model="rekognition",
            index=row["index"],
            defaults={"name": row["name"], "label": labels.get(row["label"])},
        )


def unload(apps, schema_editor):
    apps.get_model("semantic_search", "ModelClass").objects.filter(model="rekognition").delete()


class Migration(migrations.Migration):
    dependencies = [("semantic_search", "0006_faces_people")]
    operations = [migrations.RunPython(load, unload)]
