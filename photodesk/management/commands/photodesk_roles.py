"""manage.py photodesk_roles: create Photodesk's role groups (journalists, reviewers, admins)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from photodesk.roles import NotOurGroup, ensure_roles, permissions_of

SAID = {
    "created": "created",
    "updated": "permissions updated",
    "unchanged": "already up to date",
    "differs": "exists with other permissions: left as it is (--force updates it)",
}


class Command(BaseCommand):
    help = (
        "Create Photodesk's groups (Photodesk journalists, reviewers, admins) with their "
        "permissions. Safe to run again. Groups it did not create are never changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also reset the permissions of Photodesk's own groups that were changed.",
        )

    def handle(self, *args, force: bool, **options) -> None:
        try:
            outcomes = ensure_roles(force=force)
        except NotOurGroup as exc:
            raise CommandError(str(exc)) from exc
        for outcome in outcomes:
            count = len(permissions_of(outcome.role))
            line = f"{outcome.role.name}: {SAID[outcome.action]} ({count} permissions)"
            style = self.style.WARNING if outcome.action == "differs" else self.style.SUCCESS
            self.stdout.write(style(line))
