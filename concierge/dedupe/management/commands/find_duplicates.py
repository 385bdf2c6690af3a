"""`python manage.py find_duplicates [--export FILE.csv] [--json]`: refresh the review queue from the shell."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from concierge.dedupe.selectors import candidates_export_rows
from concierge.dedupe.services import duplicates_find

EXPORT_COLUMNS = ("left_ref", "right_ref", "left_id", "right_id", "score", "reasons")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: a text cell starting with = + - @ tab or CR gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_export(path: Path) -> int:
    """Write the open candidates to `path` (UTF-8, no BOM: the header is exactly EXPORT_COLUMNS)."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row in candidates_export_rows():
            writer.writerow([csv_safe(row[c]) for c in EXPORT_COLUMNS])
            count += 1
    return count


class Command(BaseCommand):
    help = "Find likely duplicate guest profiles and refresh the review queue; optionally export it as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--export", metavar="FILE.csv", help="write the open candidate pairs to this CSV file")
        parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
        parser.add_argument("--threshold", type=float, help="review threshold for this run (default: the setting)")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-auto-merge", action="store_true", help="do not auto-merge even if configured")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        err = self.stderr

        def progress(stage: str, done: int, total: int) -> None:
            if as_json:
                return
            percent = 100 * done // total if total else 100
            err.write(f"\r{stage:>5}: {done:,}/{total:,} ({percent}%)   ", ending="")
            err.flush()

        result = duplicates_find(
            batch_size=options["batch_size"], progress=progress, review_threshold=options["threshold"],
            auto_merge=not options["no_auto_merge"],
        )
        summary = result.as_dict()
        if options["export"]:
            summary["exported"] = write_export(Path(options["export"]))
            summary["export_file"] = options["export"]
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2, default=str))
            return
        err.write("")
        b = result.blocking
        self.stdout.write(
            f"{result.guests:,} guests, {b.pairs:,} pairs scored ({b.blocks:,} blocks, "
            f"{b.oversized_blocks:,} oversized skipped), {result.above_threshold:,} at or above "
            f"{result.review_threshold:.2f}: {result.created:,} new, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged, {result.kept_closed:,} already reviewed, "
            f"{result.stale_removed:,} no longer matching, {result.auto_merged:,} auto-merged "
            f"in {result.seconds.get('total', 0):.1f} s"
        )
        if options["export"]:
            self.stdout.write(f"exported {summary['exported']:,} pairs to {options['export']}")
