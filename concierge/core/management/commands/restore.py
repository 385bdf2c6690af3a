"""`manage.py restore ARCHIVE [--database-url URL] [--force]`: restore an encrypted archive and check row counts."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from concierge.core.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = ("Restore an encrypted backup archive into an empty database (the configured one, or --database-url), "
            "then compare every table's row count with the archive's manifest.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")
        parser.add_argument("--database-url", help="Restore into this database instead (postgres://… or sqlite:///…).")
        parser.add_argument("--force", action="store_true", help="Replace the contents of a non-empty database.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Target.from_url(options["database_url"]) if options["database_url"] else None
        try:
            result = restore(Path(options["archive"]), target=target, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(v or 0 for v in result.counts.values())
        if result.mismatches:
            for table, (expected, found) in sorted(result.mismatches.items()):
                self.stderr.write(f"  {table}: archive {expected}, restored {found}")
            raise CommandError(f"Restored, but {len(result.mismatches)} table(s) differ from the archive's manifest.")
        self.stdout.write(self.style.SUCCESS(
            f"Restored {len(result.counts)} tables, {rows} rows; every row count matches the archive "
            f"(taken {result.manifest['created_at']})."))
