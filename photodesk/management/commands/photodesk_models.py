"""manage.py photodesk_models list | verify | fetch: the model files in MODEL_DIR.

`fetch` downloads what is missing or damaged (pinned URLs, resumable, SHA-256 checked before a
file is put in place), or copies it from a folder with `--from DIR` on a machine without
internet; by default only the files the current settings need, `--all` for every one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from photodesk.analysis.model_files import required_model_files
from photodesk.conf import photodesk_settings
from photodesk.inference.fetch import fetch_files
from photodesk.inference.manifest import MANIFEST, ModelFile, Status, file_status, model_file

FIX = "python manage.py photodesk_models fetch"


def human_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


class Command(BaseCommand):
    # The fix for the model-file check (photodesk.W030) must run while that check fails.
    requires_system_checks: list[str] = []
    help = (
        "The model files Photodesk reads from PHOTODESK['MODEL_DIR']: list them, verify them "
        "(presence and SHA-256), or fetch what is missing or damaged."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,verify,fetch}")
        listing = actions.add_parser("list", help="Every model file: size, licence, source.")
        verify = actions.add_parser("verify", help="Presence and SHA-256 of the model files.")
        fetch = actions.add_parser(
            "fetch", help="Download (or copy with --from) what is missing or damaged."
        )
        for sub in (verify, fetch):
            which = sub.add_mutually_exclusive_group()
            which.add_argument(
                "--only",
                action="store_true",
                help="Only the files the current settings need (the default).",
            )
            which.add_argument("--all", action="store_true", help="Every file of the manifest.")
            sub.add_argument(
                "files", nargs="*", metavar="PATH", help="Only these (paths as in `list`)."
            )
        origin = fetch.add_mutually_exclusive_group()
        origin.add_argument(
            "--from",
            dest="source_dir",
            type=Path,
            metavar="DIR",
            help="Copy from this folder (laid out like MODEL_DIR) instead of downloading.",
        )
        origin.add_argument(
            "--mirror",
            metavar="URL",
            help="Download from this URL prefix (laid out like MODEL_DIR), e.g. an internal "
            "server, instead of the pinned sources.",
        )
        fetch.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Progress bars even when not on a terminal.",
        )
        fetch.add_argument("--no-progress", dest="progress", action="store_false")
        del listing  # no options

    def handle(self, *args, action: str, **options) -> None:
        self.model_dir = photodesk_settings.model_dir
        self.needed = required_model_files()
        if action == "list":
            self.list()
        elif action == "verify":
            self.verify(self.selection(options))
        else:
            self.fetch(self.selection(options), options)

    def selection(self, options) -> list[ModelFile]:
        if options["files"]:
            try:
                return [model_file(path) for path in options["files"]]
            except KeyError as exc:
                raise CommandError(exc.args[0]) from None
        if options["all"]:
            return list(MANIFEST)
        return [model_file(path) for path in self.needed]

    def list(self) -> None:
        self.stdout.write(f"MODEL_DIR: {self.model_dir}")
        for entry in MANIFEST:
            needed = "needed" if entry.path in self.needed else "-"
            if entry.sources:
                hosts = ", ".join(dict.fromkeys(urlsplit(s.url).netloc for s in entry.sources))
                source = f"download: {hosts}"
            else:
                source = f"not published: {entry.export}"
            self.stdout.write(
                f"{entry.path:<34} {human_size(entry.size):>8}  {entry.licence:<12} {needed:<6}  "
                f"{source}\n    {entry.what}; for {entry.needed_by}\n    origin: {entry.origin}"
            )

    def verify(self, entries: list[ModelFile]) -> None:
        self.stdout.write(f"MODEL_DIR: {self.model_dir}")
        self.stdout.write(f"{'status':<15} {'needed':<7} {'size':>8}  path")
        bad = []
        for entry in entries:
            status = file_status(self.model_dir, entry)
            needed = "yes" if entry.path in self.needed else "-"
            self.stdout.write(f"{status:<15} {needed:<7} {human_size(entry.size):>8}  {entry.path}")
            if status is not Status.OK:
                bad.append(f"{entry.path} ({status})")
        if bad:
            raise CommandError(
                f"{len(bad)} model file(s) missing or damaged in {self.model_dir}: "
                f"{', '.join(bad)}. Fix: {FIX} (or `{FIX} --from DIR` offline)."
            )
        self.stdout.write(self.style.SUCCESS(f"{len(entries)} file(s) present, checksums match."))

    def fetch(self, entries: list[ModelFile], options) -> None:
        if not entries:
            self.stdout.write("The configured analyzers and text embedder need no model files.")
            return
        self.stdout.write(f"MODEL_DIR: {self.model_dir}")
        outcomes = fetch_files(
            entries,
            self.model_dir,
            source_dir=options["source_dir"],
            mirror=options["mirror"],
            progress=options["progress"],
        )
        for outcome in outcomes:
            if outcome.failed:
                self.stderr.write(f"{'FAILED':<9} {outcome.path}: {outcome.detail}")
            elif outcome.action == "present":
                self.stdout.write(f"{'present':<9} {outcome.path}")
            else:
                was = f" (was: {outcome.before})" if outcome.action == "replaced" else ""
                self.stdout.write(f"{outcome.action:<9} {outcome.path}{was} {outcome.detail}")
        failed = [o.path for o in outcomes if o.failed]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(outcomes)} model file(s) could not be fetched: "
                f"{', '.join(failed)} (see above; nothing was put in their place)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(outcomes)} model file(s) present and verified.")
        )
