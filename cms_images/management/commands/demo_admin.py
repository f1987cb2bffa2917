"""manage.py demo_admin: make sure a demo superuser exists and Photodesk's role groups too
(`manage.py photodesk_roles`), and print how to log in."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or reset) the demo superuser and print its credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=os.environ.get("DEMO_ADMIN_USER", "admin"))
        parser.add_argument(
            "--password", default=os.environ.get("DEMO_ADMIN_PASSWORD", "photodesk-demo")
        )

    def handle(self, *args, username: str, password: str, **options) -> None:
        call_command("photodesk_roles", stdout=self.stdout)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} admin user — username: {username}  password: {password}")
        )
