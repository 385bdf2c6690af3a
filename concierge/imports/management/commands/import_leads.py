"""`python manage.py import_leads FILE --campaign TAG [--source LABEL]`: business cards become tagged prospects."""
from typing import Any

from django.core.management.base import CommandParser

from concierge.imports.management.base import ImportCommand


class Command(ImportCommand):
    kind = "leads"
    help = ("Import trade-show business cards (name, company, title, phone, email) as prospects tagged with the "
            "campaign, deduplicated against existing profiles.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--campaign", required=True, help="campaign tag put on every card, e.g. 'ITB 2026'")

    def table(self, data: dict[str, Any]) -> str:
        head = f"{'new':>18}  {data['new']}\n{'matched existing':>18}  {data['matched_existing']}\n" \
               f"{'rejected':>18}  {data['rejected_count']}\n"
        return head + super().table(data)
