"""django-tables2 tables for the web lists."""
from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from concierge.guests.models import Guest


class GuestTable(tables.Table):
    """The guest list: name (native + Latin) links to the card; sortable by name, status and last stay."""

    name = tables.TemplateColumn(
        template_name="web/tables/guest_name_cell.html", verbose_name=_("Guest"),
        order_by=("family_name_latin", "given_name_latin", "family_name", "given_name"),
    )
    phone = tables.TemplateColumn("{% load concierge_web %}{{ record.phone|phone }}", verbose_name=_("Phone"),
                                  orderable=False)
    company = tables.Column(verbose_name=_("Company"), linkify=False, order_by=("company__name_zh",))
    status = tables.TemplateColumn(template_name="web/tables/guest_status_cell.html", verbose_name=_("Status"))
    nationality = tables.Column(verbose_name=_("Nationality"))
    owner = tables.Column(verbose_name=_("Account manager"), order_by=("owner__first_name", "owner__username"))
    last_stay_on = tables.DateColumn(verbose_name=_("Last stay"), format="Y-m-d")
    created_at = tables.DateColumn(verbose_name=_("Created"), format="Y-m-d")

    class Meta:
        model = Guest
        fields = ("name", "phone", "company", "status", "nationality", "owner", "last_stay_on", "created_at")
        sequence = fields
        order_by = ("-last_stay_on",)
        attrs = {"class": "table table-hover table-compact align-middle mb-0"}
        empty_text = _("No guests match these filters.")
        per_page = 25

    def render_owner(self, value: Any) -> str:
        return value.get_full_name() or value.username
