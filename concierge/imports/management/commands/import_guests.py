"""`python manage.py import_guests FILE [--source LABEL] [--match link|flag] [--create-properties]
[--dry-run] [--json]` (see docs/import.md)."""
from concierge.imports.management.base import ImportCommand


class Command(ImportCommand):
    kind = "guests"
    help = "Import guests from a CSV or XLSX file (see docs/import.md for the columns)."
