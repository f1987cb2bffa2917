"""AWS providers: map Amazon Rekognition's label names onto the taxonomy (ModelClass rows,
model "rekognition"; names not listed map by label name or synonym at run time), and a field
for an image embedding made by a joint image-text model (Bedrock Titan multimodal).

The mapping is frozen in data/rekognition_classes_v1.json (made from
photodesk/taxonomy/rekognition.py).
"""

import json
from pathlib import Path

from django.db import migrations, models

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
    dependencies = [("semantic_search", "0007_roles")]
    operations = [
        migrations.AddField(
            model_name="imageanalysis",
            name="image_embedding",
            field=models.BinaryField(
                blank=True,
                editable=False,
                help_text="The image embedded by a joint image-text model (Bedrock Titan "
                "multimodal), float32, in the same space as query vectors.",
                null=True,
            ),
        ),
        migrations.RunPython(load, unload),
    ]
