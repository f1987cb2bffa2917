"""Kept for the migration history only: it does nothing.

It used to create groups named journalist, reviewer and admin, and to replace the permissions
of a site's groups of those names. A database that applied it keeps those groups as they are.
Photodesk's roles are now created on request, with their own names, by
`manage.py photodesk_roles` (photodesk/roles.py), which never touches a site's own groups.
"""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.PHOTODESK_IMAGE_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("semantic_search", "0006_faces_people"),
    ]

    operations = []
