"""Load the default newsroom taxonomy and map every ImageNet class onto it (or to nothing).

The data is frozen in data/default_taxonomy_v1.json (made from photodesk/taxonomy/) so
this migration gives the same result whatever the code looks like later.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DATA = Path(__file__).with_name("data") / "default_taxonomy_v1.json"


def load(apps, schema_editor):
    Label = apps.get_model("semantic_search", "Label")
    ModelClass = apps.get_model("semantic_search", "ModelClass")
    data = json.loads(DATA.read_text())
    by_name = {}
    for node in data["labels"]:
        label, _ = Label.objects.get_or_create(
            name=node["name"],
            defaults={"slug": slugify(node["name"]), "synonyms": node["synonyms"]},
        )
        by_name[label.name] = label
    for node in data["labels"]:
        if node["parent"]:
            Label.objects.filter(pk=by_name[node["name"]].pk).update(
                parent=by_name[node["parent"]]
            )
    for row in data["imagenet"]:
        ModelClass.objects.update_or_create(
            model="imagenet-1k",
            index=row["index"],
            defaults={"name": row["name"], "label": by_name.get(row["label"])},
        )


def unload(apps, schema_editor):
    apps.get_model("semantic_search", "ModelClass").objects.filter(model="imagenet-1k").delete()
    names = [node["name"] for node in json.loads(DATA.read_text())["labels"]]
    apps.get_model("semantic_search", "Label").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("semantic_search", "0003_labels_and_safety")]
    operations = [migrations.RunPython(load, unload)]
