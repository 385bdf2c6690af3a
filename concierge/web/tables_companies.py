"""django-tables2 tables for the company, contact and stay lists."""
from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concierge.core.phones import format_phone
from concierge.guests.models import Company, Contact
from concierge.stays.models import Stay

TABLE_ATTRS = {"class": "table table-hover table-compact align-middle", "thead": {"class": ""}}
NUM = {"th": {"class": "num"}, "td": {"class": "num text-nowrap"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
SMALL = {"td": {"class": "small lh-sm", "style": "min-width: 6.5rem"}}

STAY_STATUS_BADGES = {
    "reserved": "text-bg-info",
    "in_house": "text-bg-success",
    "checked_out": "text-bg-secondary",
    "cancelled": "text-bg-light border",
    "no_show": "text-bg-warning",
}


def money(value: Any) -> str:
    """Whole-unit amount with thousands separators (tables are for scanning, not accounting)."""
    if value in (None, ""):
        return "—"
    return intcomma(number_format(value, decimal_pos=0))


def status_badge(value: str, label: str) -> str:
    return format_html('<span class="badge badge-status-{}">{}</span>', value, label)


class CompanyTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Company"), accessor="name_zh", order_by=("name_zh", "name_en"), linkify=False,
    )
    account_number = tables.Column(verbose_name=_("Account no."))
    industry = tables.Column(verbose_name=_("Industry"), order_by=("industry__sort_order", "industry__code"))
    region = tables.Column(
        verbose_name=_("Province / city"), accessor="province", order_by=("province", "city"), empty_values=(),
    )
    owner = tables.Column(verbose_name=_("Account manager"), order_by=("owner__first_name", "owner__username"))
    status = tables.Column(verbose_name=_("Status"))
    stays_12m = tables.Column(verbose_name=_("Stays (12 mo.)"), attrs=NUM)
    revenue_12m = tables.Column(verbose_name=_("Revenue (12 mo.)"), attrs=NUM)

    class Meta:
        model = Company
        fields = ("name", "account_number", "industry", "region", "owner", "status", "stays_12m", "revenue_12m")
        attrs = TABLE_ATTRS
        empty_text = _("No companies match these filters.")
        order_by = ("name",)

    def render_name(self, record: Company) -> str:
        url = reverse("web:company_detail", args=[record.pk])
        main = record.name_zh or record.name_en
        alt = record.name_en if record.name_zh else ""
        if alt:
            return format_html('<a href="{}" class="fw-semibold">{}</a><div class="small text-muted">{}</div>',
                               url, main, alt)
        return format_html('<a href="{}" class="fw-semibold">{}</a>', url, main)

    def render_region(self, record: Company) -> str:
        return " · ".join(p for p in (record.province, record.city) if p) or "—"

    def render_status(self, record: Company) -> str:
        return status_badge(record.status, record.get_status_display())

    def render_stays_12m(self, value: int) -> str:
        return str(value or 0)

    def render_revenue_12m(self, value: Any) -> str:
        return money(value)


class ContactTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), order_by=("name",))
    company = tables.Column(verbose_name=_("Company"), order_by=("company__name_zh", "company__name_en"))
    position = tables.Column(verbose_name=_("Position"), empty_values=())
    phone = tables.Column(verbose_name=_("Phone"))
    email = tables.EmailColumn(verbose_name=_("Email"))
    birthday = tables.DateColumn(verbose_name=_("Birthday"), format="m-d")
    is_decision_maker = tables.BooleanColumn(verbose_name=_("Decision maker"), yesno="✔,")
    is_active = tables.BooleanColumn(verbose_name=_("Active"), yesno="✔,✘")

    class Meta:
        model = Contact
        fields = ("name", "company", "position", "phone", "email", "birthday", "is_decision_maker", "is_active")
        attrs = TABLE_ATTRS
        empty_text = _("No contacts match these filters.")

    def render_name(self, record: Contact) -> str:
        url = reverse("web:contact_detail", args=[record.pk])
        if record.name_latin:
            return format_html('<a href="{}" class="fw-semibold">{}</a> <span class="small text-muted">{}</span>',
                               url, record.name, record.name_latin)
        return format_html('<a href="{}" class="fw-semibold">{}</a>', url, record.name)

    def render_company(self, record: Contact) -> str:
        return format_html('<a href="{}">{}</a>', reverse("web:company_detail", args=[record.company_id]),
                           record.company)

    def render_phone(self, value: str) -> str:
        return format_html('<a href="tel:{}" class="text-nowrap">{}</a>', value, format_phone(value))

    def render_position(self, record: Contact) -> str:
        return " · ".join(p for p in (record.position, record.department) if p) or "—"


class StayTable(tables.Table):
    arrival = tables.DateColumn(verbose_name=_("Arrival"), format="Y-m-d")
    guest = tables.Column(verbose_name=_("Guest"), order_by=("guest__family_name_latin", "guest__given_name_latin"))
    company = tables.Column(verbose_name=_("Company"), order_by=("company__name_zh", "company__name_en"))
    property = tables.Column(verbose_name=_("Property"), accessor="property__code")
    departure = tables.DateColumn(verbose_name=_("Departure"), format="Y-m-d")
    room_nights = tables.Column(verbose_name=_("Nights"), attrs=NUM)
    room_number = tables.Column(verbose_name=_("Room"))
    rate_code = tables.Column(verbose_name=_("Rate code"))
    adr = tables.Column(verbose_name=_("ADR"), attrs=NUM)
    revenue = tables.Column(verbose_name=_("Revenue"), attrs=NUM)
    status = tables.Column(verbose_name=_("Status"), attrs=NOWRAP)
    channel = tables.Column(verbose_name=_("Channel"), attrs=SMALL)
    market_segment = tables.Column(verbose_name=_("Segment"), attrs=SMALL)

    class Meta:
        model = Stay
        fields = (
            "arrival", "departure", "guest", "company", "property", "room_nights", "room_number", "rate_code", "adr",
            "revenue", "status", "channel", "market_segment",
        )
        sequence = (
            "arrival", "departure", "guest", "company", "property", "room_nights", "room_number", "rate_code", "adr",
            "revenue", "status", "channel", "market_segment",
        )
        attrs = TABLE_ATTRS
        empty_text = _("No stays match these filters.")

    def render_arrival(self, record: Stay, value: Any) -> str:
        return format_html('<a href="{}" class="fw-semibold text-nowrap">{}</a>',
                           reverse("web:stay_detail", args=[record.pk]), value.strftime("%Y-%m-%d"))

    def render_departure(self, value: Any) -> str:
        return format_html('<span class="text-nowrap">{}</span>', value.strftime("%Y-%m-%d"))

    def render_guest(self, record: Stay) -> str:
        url = reverse("web:guest_detail", args=[record.guest_id])
        return format_html('<a href="{}" class="text-nowrap">{}</a>', url, record.guest)

    def render_company(self, record: Stay) -> str:
        return format_html(
            '<a href="{}" class="d-inline-block text-truncate align-bottom" style="max-width: 10rem" title="{}">{}</a>',
            reverse("web:company_detail", args=[record.company_id]), record.company, record.company,
        )

    def render_property(self, record: Stay) -> str:
        return format_html('<span title="{}">{}</span>', record.property, record.property.code)

    def render_adr(self, value: Any) -> str:
        return money(value)

    def render_revenue(self, value: Any) -> str:
        return money(value)

    def render_status(self, record: Stay) -> str:
        return format_html('<span class="badge {}">{}</span>', STAY_STATUS_BADGES.get(record.status, "text-bg-light"),
                           record.get_status_display())
