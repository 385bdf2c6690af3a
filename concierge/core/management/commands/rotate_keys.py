"""`manage.py rotate_keys [--dry-run]`: re-encrypt sensitive fields under the newest field key, online."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from concierge.core.backup import rotate_keys


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted field under the first key of CONCIERGE_FIELD_KEYS, in small transactions "
            "while the app runs. Procedure: put the new key first (new,old), restart, run this, then drop the old key.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count the values still under older keys.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if len(settings.FIELD_ENCRYPTION_KEYS) < 2 and not options["dry_run"]:
            self.stdout.write("Only one field key is configured: nothing can be under an older key.")
        report = rotate_keys(batch_size=options["batch_size"], dry_run=options["dry_run"])
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        self.stdout.write(
            f"Columns: {', '.join(report.columns) or '-'}\n"
            f"{verb}: {report.rotated}; already under the newest key: {report.already_current}; "
            f"changed by the app meanwhile (left as saved): {report.skipped_changed}")
        if report.skipped_changed and not options["dry_run"]:
            self.stdout.write(self.style.WARNING(
                "Some values were saved by the app during the run; run the command again to make sure they are "
                "under the newest key (values already under it are skipped)."))
