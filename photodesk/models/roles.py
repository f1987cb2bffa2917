"""Which groups Photodesk created for its roles (photodesk/roles.py): the only groups
`manage.py photodesk_roles` ever changes."""

from __future__ import annotations

from django.db import models


class RoleGroup(models.Model):
    role = models.CharField(max_length=20, unique=True)  # roles.Role.key
    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="photodesk_role"
    )

    def __str__(self) -> str:
        return f"{self.role}: {self.group}"
