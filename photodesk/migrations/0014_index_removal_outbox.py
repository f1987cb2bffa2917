"""The index's outbox (IndexRemoval: a delete owes the index a removal, committed with the
delete) and ImageAnalysis.worker (which process runs an analysis, to find one that
died)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("semantic_search", "0013_usage_words")]

    operations = [
        migrations.CreateModel(
            name="IndexRemoval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("image_key", models.CharField(db_index=True, max_length=64)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "index removal (outbox)",
                "verbose_name_plural": "index removals (outbox)",
            },
        ),
        migrations.AddField(
            model_name="imageanalysis",
            name="worker",
            field=models.CharField(blank=True, max_length=100),
        ),
    ]
