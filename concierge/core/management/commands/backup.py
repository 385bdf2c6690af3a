"""`manage.py backup [--output PATH]`: an encrypted archive of the whole database (see concierge/core/backup.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from concierge.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write an encrypted backup archive of the database (pg_dump on PostgreSQL, online backup on SQLite)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", "-o", help="Archive path (default var/backups/concierge-<time>.ccbk).")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        output = Path(options["output"] or Path(settings.BASE_DIR) / "var" / "backups" / f"concierge-{stamp}.ccbk")
        try:
            result = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backup written: {result.path} ({result.engine}, {result.tables} tables, {result.rows} rows, "
            f"{result.bytes / 1e6:.1f} MB, encrypted)"))
