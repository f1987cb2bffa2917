import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The site's Wagtail image model (wagtailimages.Image or its own), as Photodesk's.
        migrations.swappable_dependency(settings.PHOTODESK_IMAGE_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MirroredTag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("image", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.PHOTODESK_IMAGE_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("image", "name"), name="unique_mirrored_tag")],
            },
        ),
    ]
