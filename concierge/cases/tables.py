"""django-tables2 tables: cases, breaches, lost & found."""
from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from concierge.cases.models import Case, LostItem

TABLE_ATTRS = {"class": "table table-hover table-compact align-middle"}
NOWRAP = {"td": {"class": "text-nowrap"}}

STATUS_BADGES = {
    "new": "case-status-new", "assigned": "case-status-assigned", "in_progress": "case-status-in_progress",
    "waiting": "case-status-waiting", "resolved": "case-status-resolved", "closed": "case-status-closed",
}
PRIORITY_ICONS = {"urgent": "bi-exclamation-diamond-fill text-danger", "high": "bi-arrow-up-circle-fill text-warning",
                  "normal": "bi-dash-circle text-muted", "low": "bi-arrow-down-circle text-muted"}
LOST_BADGES = {"stored": "text-bg-light border", "matched": "text-bg-info", "notified": "text-bg-primary",
               "returned": "text-bg-success", "disposed": "text-bg-secondary"}


def status_badge(case: Case) -> str:
    return format_html('<span class="badge case-badge {}">{}</span>', STATUS_BADGES.get(case.status, ""),
                       case.get_status_display())


def due_chip(due: Any, done: Any, breached: bool) -> str:
    """A due time as "in 2 h" / "3 h overdue" / "met", coloured by state."""
    if due is None:
        return mark_safe('<span class="text-muted">—</span>')
    local = timezone.localtime(due)
    title = date_format(local, "SHORT_DATETIME_FORMAT")
    if done is not None:
        css, text = ("sla-chip sla-late", _("late")) if breached else ("sla-chip sla-met", _("met"))
        return format_html('<span class="{}" title="{}">{}</span>', css, title, text)
    delta = due - timezone.now()
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return format_html('<span class="sla-chip sla-late" title="{}"><i class="bi bi-alarm-fill me-1"></i>{}</span>',
                           title, _("%(time)s overdue") % {"time": _span(-minutes)})
    css = "sla-chip sla-soon" if minutes <= 60 else "sla-chip sla-ok"
    return format_html('<span class="{}" title="{}">{}</span>', css, title, _("in %(time)s") % {"time": _span(minutes)})


def _span(minutes: int) -> str:
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d d") % {"n": minutes // (24 * 60)}


class CaseTable(tables.Table):
    reference = tables.Column(verbose_name=_("Case"), accessor="pk", order_by=("-id",), attrs=NOWRAP)
    subject = tables.Column(verbose_name=_("Subject"), attrs={"td": {"style": "min-width: 12rem"}})
    customer = tables.Column(verbose_name=_("Guest / company"), accessor="guest", empty_values=(),
                             order_by=("guest__family_name", "company__name_zh"))
    case_type = tables.Column(verbose_name=_("Type"))
    priority = tables.Column(verbose_name=_("Priority"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("Status"))
    owner = tables.Column(verbose_name=_("Handled by"), order_by=("owner__first_name", "owner__username"),
                          attrs=NOWRAP)
    response_due = tables.Column(verbose_name=_("Response"), accessor="first_response_due_at", attrs=NOWRAP)
    resolution_due = tables.Column(verbose_name=_("Resolution"), accessor="resolution_due_at", attrs=NOWRAP)
    created_at = tables.DateTimeColumn(verbose_name=_("Opened"), format="m-d H:i", attrs=NOWRAP)

    class Meta:
        model = Case
        fields = ("reference", "subject", "customer", "case_type", "priority", "status", "owner", "response_due",
                  "resolution_due", "created_at")
        attrs = TABLE_ATTRS
        empty_text = _("No cases match these filters.")
        order_by = ("-created_at",)
        row_attrs = {"class": lambda record: "case-row-breached" if record.is_breached and record.is_open else ""}

    def render_reference(self, record: Case) -> str:
        return format_html('<a class="fw-semibold font-monospace" href="{}" hx-boost="false">{}</a>',
                           reverse("cases:case_detail", args=[record.pk]), record.reference)

    def render_subject(self, record: Case) -> str:
        return format_html('<a href="{}" class="text-body" hx-boost="false">{}</a>',
                           reverse("cases:case_detail", args=[record.pk]), record.subject)

    def render_customer(self, record: Case) -> str:
        if record.guest_id:
            return format_html("{}", record.guest)
        if record.company_id:
            return format_html('<i class="bi bi-building me-1 text-muted"></i>{}', record.company)
        return "—"

    def render_case_type(self, record: Case) -> str:
        return record.get_case_type_display()

    def render_priority(self, record: Case) -> str:
        return format_html('<i class="bi {} me-1" aria-hidden="true"></i>{}',
                           PRIORITY_ICONS.get(record.priority, ""), record.get_priority_display())

    def render_status(self, record: Case) -> str:
        return status_badge(record)

    def render_owner(self, record: Case) -> str:
        return str(record.owner) if record.owner_id else format_html('<span class="text-muted">{}</span>',
                                                                       _("Unassigned"))

    def render_response_due(self, record: Case) -> str:
        return due_chip(record.first_response_due_at, record.first_responded_at, record.response_breached)

    def render_resolution_due(self, record: Case) -> str:
        return due_chip(record.resolution_due_at, record.resolved_at, record.resolution_breached)


class BreachTable(CaseTable):
    escalated_to = tables.Column(verbose_name=_("Escalated to"), empty_values=())

    class Meta(CaseTable.Meta):
        fields = ("reference", "subject", "customer", "priority", "status", "owner", "response_due",
                  "resolution_due", "escalated_to")
        exclude = ("case_type", "created_at")
        empty_text = _("No breached cases. Well done.")
        order_by = ()

    def render_escalated_to(self, record: Case) -> str:
        if record.escalated_to_id:
            return str(record.escalated_to)
        if record.response_escalated_at or record.resolution_escalated_at:
            return format_html('<span class="text-danger small">{}</span>', _("no department head"))
        return format_html('<span class="text-muted small">{}</span>', _("late when resolved"))


class LostItemTable(tables.Table):
    found_on = tables.DateColumn(verbose_name=_("Found"), format="Y-m-d", attrs=NOWRAP)
    description = tables.Column(verbose_name=_("Item"))
    where = tables.Column(verbose_name=_("Where"), accessor="room_number", empty_values=(),
                          order_by=("room_number", "found_place"))
    storage_location = tables.Column(verbose_name=_("Stored at"))
    guest = tables.Column(verbose_name=_("Guest"), empty_values=())
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = LostItem
        fields = ("found_on", "description", "where", "storage_location", "guest", "status")
        attrs = TABLE_ATTRS
        empty_text = _("Nothing logged.")
        order_by = ("-found_on",)

    def render_description(self, record: LostItem) -> str:
        return format_html('<a class="fw-semibold" href="{}" hx-boost="false">{}</a> '
                           '<span class="text-muted small">{}</span>', reverse("cases:lost_detail", args=[record.pk]),
                           record.description, record.get_category_display())

    def render_where(self, record: LostItem) -> str:
        if record.room_number:
            return format_html('<i class="bi bi-door-closed me-1 text-muted"></i>{}', record.room_number)
        return record.found_place or "—"

    def render_guest(self, record: LostItem) -> str:
        return str(record.guest) if record.guest_id else format_html('<span class="text-muted">{}</span>',
                                                                       _("not matched"))

    def render_status(self, record: LostItem) -> str:
        return format_html('<span class="badge {}">{}</span>', LOST_BADGES.get(record.status, ""),
                           record.get_status_display())
