"""Shared shape of the `import_*` commands: arguments, progress on stderr, a table or `--json` on stdout."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concierge.imports.choices import ImportStatus
from concierge.imports.services import DEFAULT_SOURCE, import_run


class ImportCommand(BaseCommand):
    kind = ""
    help = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (UTF-8 or GBK/GB18030) or XLSX file")
        parser.add_argument("--source", default=DEFAULT_SOURCE,
                            help="label of the system the file comes from; re-imports of one source update "
                                 f"instead of duplicating (default: {DEFAULT_SOURCE!r})")
        parser.add_argument("--match", choices=("link", "flag"), default="link",
                            help="link (default): attach strong matches, flag weaker ones; "
                                 "flag: create every row and flag every suspected duplicate for review")
        parser.add_argument("--create-properties", action="store_true",
                            help="create properties for unknown property codes instead of refusing the rows")
        parser.add_argument("--property", metavar="CODE", help="property that holds the imported profiles")
        parser.add_argument("--dry-run", action="store_true", help="do everything, report, then roll back")
        parser.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row is rejected")
        parser.add_argument("--mapping", metavar="JSON", help='column overrides, e.g. \'{"Mobile": "phone"}\'')
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from concierge.properties.models import Property

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        prop = None
        if options.get("property"):
            prop = Property.objects.filter(code__iexact=options["property"]).first()
            if prop is None:
                raise CommandError(f"Unknown property code: {options['property']}")
        mapping = None
        if options.get("mapping"):
            try:
                mapping = json.loads(options["mapping"])
            except ValueError as exc:
                raise CommandError(f"--mapping is not JSON: {exc}") from exc
        as_json = options["json"]

        def progress(done: int, total: int) -> None:
            if not as_json and sys.stderr.isatty():
                self.stderr.write(f"\r{done:,} / {max(total, done):,} rows", ending="")
                self.stderr.flush()

        try:
            summary = import_run(
                actor=None, kind=self.kind, file=path, source=options["source"], match=options["match"],
                create_properties=options["create_properties"], dry_run=options["dry_run"], mapping=mapping,
                campaign_tag=options.get("campaign"), progress=progress, property=prop,
                all_or_nothing=options["all_or_nothing"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not as_json and sys.stderr.isatty():
            self.stderr.write("")
        data = summary.as_dict()
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(self.table(data))
        if summary.status in (ImportStatus.FAILED, ImportStatus.ROLLED_BACK):
            raise CommandError(summary.error or summary.status)

    def table(self, data: dict[str, Any]) -> str:
        keys = ["status", "rows_read", "created", "updated", "unchanged", "attached", "flagged", "rejected_count",
                "warnings_count"]
        keys += [k for k in ("new", "matched_existing", "guests_created", "properties_created", "companies_created",
                             "contacts_created", "review_pairs") if k in data]
        lines = [f"{k:>18}  {data[k]}" for k in keys]
        lines.append(f"{'seconds':>18}  {data['seconds']}")
        for issue in data["rejected"][:50]:
            lines.append(f"  rejected row {issue['row']} [{issue['field']}]: {issue['reason']}")
        if len(data["rejected"]) > 50:
            lines.append(f"  … {len(data['rejected']) - 50} more rejected (use --json)")
        for issue in data["warnings"][:20]:
            lines.append(f"  warning row {issue['row']} [{issue['field']}]: {issue['reason']}")
        if data["error"]:
            lines.append(f"  error: {data['error']}")
        return "\n".join(lines)
