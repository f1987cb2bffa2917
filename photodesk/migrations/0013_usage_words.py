"""UsageWords: the title and summary of the articles that use an image, as weak words on it
(a removed row stays, as a tombstone)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.PHOTODESK_IMAGE_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('semantic_search', '0012_borrowing_neighbours'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UsageWords',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('article_id', models.CharField(max_length=64)),
                ('title', models.CharField(max_length=300)),
                ('summary', models.TextField(blank=True)),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('updated', models.DateTimeField(auto_now=True)),
                ('removed_at', models.DateTimeField(blank=True, null=True)),
                ('article_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photodesk_usage_words', to=settings.PHOTODESK_IMAGE_MODEL)),
                ('removed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'words from use',
                'verbose_name_plural': 'words from use',
                'ordering': ['-updated', '-pk'],
                'indexes': [models.Index(fields=['article_type', 'article_id'], name='semantic_se_article_4801bd_idx')],
                'constraints': [models.UniqueConstraint(fields=('image', 'article_type', 'article_id'), name='unique_usage_words')],
            },
        ),
    ]
