"""Company and contact pages: list, detail (performance, contacts, shared timeline), create and edit.

Views stay thin: they fetch objects through `visible_to(request.user)` (invisible means 404), validate a
form, call one domain service and redirect. htmx requests that target a page section get that section's
partial; everything else gets the full page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from concierge.core.choices import CONTACT_KINDS, AuditAction
from concierge.core.models import Activity
from concierge.core.phones import normalize_phone
from concierge.core.services import audit_record
from concierge.dedupe.services import duplicate_warning_override
from concierge.guests import services as guest_services
from concierge.guests.choices import SearchKeyKind
from concierge.guests.models import Company, Contact, Guest, SearchKey
from concierge.guests.selectors import (
    LastContact,
    SearchHit,
    company_property_ranks,
    last_contact,
    recognition_search,
    stay_totals,
    timeline,
)
from concierge.stays.choices import PRODUCTIVE_STATUSES, StayStatus
from concierge.stays.models import Stay
from concierge.web.forms_companies import (
    CompanyCreateForm,
    CompanyForm,
    CompanyListFilter,
    ContactEditForm,
    ContactForm,
    ContactListFilter,
    InteractionForm,
)
from concierge.web.helpers import apply_service_errors, get_visible_or_404
from concierge.web.tables_companies import CompanyTable, ContactTable

LIST_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 10
CHART_MONTHS = 24
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
TOTAL_REVENUE = F("room_revenue") + F("fnb_revenue") + F("other_revenue")


# --- shared view helpers -------------------------------------------------------------------------------------


def htmx_target(request: HttpRequest) -> str:
    """Id of the element an htmx request will swap ("" for ordinary requests)."""
    return (request.htmx.target or "") if getattr(request, "htmx", None) else ""


def compact_widgets(form: Form) -> Form:
    """Bootstrap small controls for a filter bar rendered field by field."""
    for bound in form:
        widget = bound.field.widget
        if widget.is_hidden:
            continue
        for sub in getattr(widget, "widgets", [widget]):
            select = getattr(sub, "input_type", "") == "select"
            sub.attrs.setdefault("class", "form-select form-select-sm" if select else "form-control form-control-sm")
    return form


def int_or_none(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def company_for(user: Any, pk: int) -> Company:
    """A company the user may see (scoped in get_visible_or_404), else 404."""
    return get_visible_or_404(Company.objects.select_related("industry", "owner"), user, pk)


def contact_for(user: Any, pk: int) -> Contact:
    return get_visible_or_404(Contact.objects.select_related("company", "guest"), user, pk)


# --- reads (candidates for guests/selectors.py) --------------------------------------------------------------


def company_list_queryset(user: Any) -> QuerySet:
    """Visible companies with stays and revenue of the last 12 months at the user's properties (subqueries)."""
    since = timezone.localdate() - dt.timedelta(days=365)
    stays = (
        Stay.objects.visible_to(user)
        .filter(company=OuterRef("pk"), status__in=PRODUCTIVE_STATUSES, arrival__gte=since)
        .order_by()
        .values("company")
    )
    return (
        Company.objects.visible_to(user)
        .select_related("industry", "owner")
        .annotate(
            stays_12m=Coalesce(Subquery(stays.annotate(n=Count("id")).values("n")), 0),
            revenue_12m=Coalesce(
                Subquery(stays.annotate(t=Sum(TOTAL_REVENUE, output_field=MONEY)).values("t")), ZERO,
                output_field=MONEY,
            ),
        )
    )


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def revenue_by_month(stays: QuerySet, *, months: int = CHART_MONTHS) -> dict[str, list[Any]]:
    """Room and other revenue per arrival month for the last `months` months (grouped in the database)."""
    today = timezone.localdate()
    start = _month_start(today, months - 1)
    rows = (
        stays.filter(status__in=PRODUCTIVE_STATUSES, arrival__gte=start)
        .annotate(month=TruncMonth("arrival"))
        .order_by()
        .values("month")
        .annotate(
            room=Coalesce(Sum("room_revenue"), ZERO),
            other=Coalesce(Sum(F("fnb_revenue") + F("other_revenue"), output_field=MONEY), ZERO),
        )
    )
    found = {(r["month"].year, r["month"].month): r for r in rows}
    labels, room, other = [], [], []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        row = found.get((month.year, month.month))
        labels.append(month.strftime("%Y-%m"))
        room.append(float(row["room"]) if row else 0.0)
        other.append(float(row["other"]) if row else 0.0)
    return {"months": labels, "room": room, "other": other}


def company_guests(stays: QuerySet, user: Any, *, limit: int = 15) -> list[dict[str, Any]]:
    """Guests who stay on the company's account, most recent first, with their stays and revenue."""
    rows = list(
        stays.filter(guest__isnull=False)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .order_by()
        .values("guest_id")
        .annotate(
            n=Count("id"), nights=Coalesce(Sum("room_nights"), 0), last=Max("arrival"),
            revenue=Coalesce(Sum(TOTAL_REVENUE, output_field=MONEY), ZERO),
            in_house=Count("id", filter=Q(status=StayStatus.IN_HOUSE)),
        )
        .order_by("-last")[:limit]
    )
    guests = Guest.objects.visible_to(user).in_bulk([r["guest_id"] for r in rows])
    return [dict(r, guest=guests[r["guest_id"]]) for r in rows if r["guest_id"] in guests]


def latest_contact_id(company: Company) -> int | None:
    """Id of the newest call/email/visit/meeting/message on the company, to notice one logged meanwhile."""
    return (
        Activity.objects.filter(company=company, kind__in=CONTACT_KINDS)
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def company_matches(*, user: Any, name_zh: str, name_en: str, phone: str, limit: int = 5) -> list[SearchHit]:
    """Visible companies a new company may duplicate: the recognition search on its names and phone."""
    hits: dict[int, SearchHit] = {}
    for query in (name_zh, name_en, phone):
        for hit in recognition_search(user=user, query=query, limit=20) if query.strip() else ():
            if hit.kind == "company" and (hit.id not in hits or hits[hit.id].score < hit.score):
                hits[hit.id] = hit
    return sorted(hits.values(), key=lambda h: (-h.score, h.id))[:limit]


@dataclass
class ContactDuplicates:
    """Visible contacts and guests that already use a phone number or email address."""

    contacts: list[Contact] = field(default_factory=list)
    guests: list[Guest] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.guests)


def contact_duplicates(
    *, user: Any, phone: str, email: str, exclude_contact: int | None = None, exclude_guest: int | None = None,
) -> ContactDuplicates:
    try:
        e164 = normalize_phone(phone or "")
    except ValidationError:
        e164 = ""  # the service reports the bad number; nothing can match it
    email = (email or "").strip().lower()
    contact_q, key_q = [], []
    if e164:
        contact_q.append(Q(phone=e164))
        key_q.append(Q(kind=SearchKeyKind.PHONE, key=e164.lstrip("+")))
    if email:
        contact_q.append(Q(email__iexact=email))
        key_q.append(Q(kind=SearchKeyKind.EMAIL, key=email))
    if not contact_q:
        return ContactDuplicates()
    contacts = Contact.objects.visible_to(user).filter(reduce(or_, contact_q)).select_related("company")
    if exclude_contact:
        contacts = contacts.exclude(pk=exclude_contact)
    keys = SearchKey.objects.filter(reduce(or_, key_q), guest__isnull=False).values("guest_id")
    guests = Guest.objects.visible_to(user).live().filter(pk__in=keys)
    if exclude_guest:
        guests = guests.exclude(pk=exclude_guest)
    return ContactDuplicates(contacts=list(contacts[:10]), guests=list(guests[:10]))


def _contact_rows(company: Company) -> list[Contact]:
    """Contacts of a company with the days until each birthday (for the cake badge)."""
    today = timezone.localdate()
    contacts = list(company.contacts.select_related("guest").order_by("-is_active", "-is_decision_maker", "name"))
    for contact in contacts:
        contact.birthday_in_days = None
        if contact.birthday:
            try:
                next_bd = contact.birthday.replace(year=today.year)
            except ValueError:  # 29 February in a common year
                next_bd = dt.date(today.year, 3, 1)
            if next_bd < today:
                try:
                    next_bd = contact.birthday.replace(year=today.year + 1)
                except ValueError:
                    next_bd = dt.date(today.year + 1, 3, 1)
            contact.birthday_in_days = (next_bd - today).days
    return contacts


# --- section contexts ----------------------------------------------------------------------------------------


def _contacts_context(
    request: HttpRequest, company: Company, *, form: ContactForm | None = None,
    duplicates: ContactDuplicates | None = None, saved: Contact | None = None,
) -> dict[str, Any]:
    return {
        "company": company,
        "contacts": _contact_rows(company),
        "contact_form": form or ContactForm(user=request.user, prefix="contact"),
        "duplicates": duplicates,
        "saved_contact": saved,
    }


def _timeline_context(
    request: HttpRequest, company: Company, *, form: InteractionForm | None = None,
    contacted_meanwhile: LastContact | None = None, logged: bool = False,
) -> dict[str, Any]:
    last = last_contact(company=company)
    freq = company.contact_frequency_days
    due_in = None
    if freq:
        due_in = freq - last.days_ago if last else -1
    entries = timeline(user=request.user, company=company).select_related("guest")
    page: Page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("tpage")
    )
    if form is None:
        form = InteractionForm(prefix="log", initial={"seen_contact": latest_contact_id(company)})
    return {
        "company": company,
        "last_contact": last,
        "contact_due_in": due_in,
        "contact_overdue": due_in is not None and due_in < 0,
        "timeline_page": page,
        "interaction_form": form,
        "contacted_meanwhile": contacted_meanwhile,
        "logged": logged,
    }


def _detail_context(request: HttpRequest, company: Company, **sections: Any) -> dict[str, Any]:
    user = request.user
    stays = Stay.objects.visible_to(user).filter(company=company)
    context = {
        "company": company,
        "parent": Company.objects.visible_to(user).filter(pk=company.parent_id).first() if company.parent_id else None,
        "subsidiaries": list(Company.objects.visible_to(user).filter(parent=company)),
        "totals": stay_totals(stays),
        "property_ranks": company_property_ranks(company=company, user=user),
        "chart": {**revenue_by_month(stays), "labels": {"room": _("Room revenue"), "other": _("F&B and other")}},
        "account_guests": company_guests(stays, user),
        "properties": list(company.properties.all()),
        "tags": list(company.tags.all()),
    }
    context.update(_contacts_context(request, company, **sections.get("contacts", {})))
    context.update(_timeline_context(request, company, **sections.get("timeline", {})))
    return context


# --- companies -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    filterset = CompanyListFilter(request.GET or None, queryset=company_list_queryset(request.user), request=request)
    table = CompanyTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
    context = {"filter": filterset, "filter_form": compact_widgets(filterset.form), "table": table}
    if htmx_target(request) == "company-table":
        return render(request, "web/companies/partials/company_table.html", context)
    return render(request, "web/companies/company_list.html", context)


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = company_for(request.user, pk)
    if htmx_target(request) == "company-timeline":
        return render(request, "web/companies/partials/timeline_section.html", _timeline_context(request, company))
    return render(request, "web/companies/company_detail.html", _detail_context(request, company))


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    """New company. Visible companies with the same name (or phone) are shown first; "Create anyway" is audited."""
    form = CompanyCreateForm(request.POST or None, user=request.user)
    matches: list[SearchHit] = []
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        matches = company_matches(user=request.user, name_zh=values.get("name_zh") or "",
                                  name_en=values.get("name_en") or "", phone=values.get("phone") or "")
        seen = {int(p) for p in request.POST.get("duplicates_seen", "").split(",") if p.strip().isdigit()}
        confirmed = bool(request.POST.get("create_anyway")) and all(hit.id in seen for hit in matches)
        if not matches or confirmed:
            try:
                with transaction.atomic():
                    company = guest_services.company_create(
                        actor=request.user, properties=form.cleaned_data["properties"],
                        tags=form.cleaned_data["tags"], **values,
                    )
                    if matches:
                        duplicate_warning_override(actor=request.user, company=company,
                                                   candidate_ids=[hit.id for hit in matches],
                                                   ip_address=request.META.get("REMOTE_ADDR") or None)
            except ValidationError as exc:
                apply_service_errors(form, exc)
                matches = []
            else:
                messages.success(request, _("Company “%(name)s” created.") % {"name": company})
                return redirect("web:company_detail", pk=company.pk)
    context = {"form": form, "company": None, "company_matches": matches,
               "duplicate_ids": ",".join(str(hit.id) for hit in matches)}
    return render(request, "web/companies/company_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = company_for(request.user, pk)
    form = CompanyForm(request.POST or None, instance=company, user=request.user)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            company = guest_services.company_update(
                actor=request.user, company=company, expected_version=form.cleaned_data["version"],
                **form.service_values(),
            )
        except guest_services.StaleVersionError as exc:
            stale = True
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Company “%(name)s” saved.") % {"name": company})
            return redirect("web:company_detail", pk=company.pk)
    company = Company.objects.get(pk=company.pk)  # the form may have touched the instance; show stored names
    return render(request, "web/companies/company_form.html", {"form": form, "company": company, "stale": stale})


@login_required
@require_POST
def company_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a call/visit/email/meeting/message/note on the company's shared timeline."""
    company = company_for(request.user, pk)
    form = InteractionForm(request.POST, prefix="log")
    meanwhile = None
    if form.is_valid():
        data = form.cleaned_data
        newest = latest_contact_id(company)
        # Someone contacted the company after this form was loaded: say so once, before logging a second contact.
        if data["kind"] in CONTACT_KINDS and newest and newest != data["seen_contact"]:
            meanwhile = last_contact(company=company)
            form = InteractionForm({**request.POST.dict(), "log-seen_contact": newest}, prefix="log")
            form.is_valid()
        else:
            try:
                guest_services.interaction_log(
                    actor=request.user, kind=data["kind"], summary=data["summary"], body=data["body"],
                    company=company, property=_acting_property(request.user),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, _("Logged on the timeline."))
                    return redirect(reverse("web:company_detail", args=[company.pk]) + "#timeline")
                return render(request, "web/companies/partials/timeline_section.html",
                              _timeline_context(request, company, logged=True))
    sections = {"form": form, "contacted_meanwhile": meanwhile}
    if request.htmx:
        return render(request, "web/companies/partials/timeline_section.html",
                      _timeline_context(request, company, **sections))
    return render(request, "web/companies/company_detail.html", _detail_context(request, company, timeline=sections))


def _acting_property(user: Any) -> Any:
    """The property an entry is recorded at: the user's only property, else none (visible group-wide)."""
    ids = user.property_ids()
    if ids and len(ids) == 1:
        return user.properties.first()
    return None


# --- contacts ------------------------------------------------------------------------------------------------


@login_required
@require_POST
def company_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact; a phone or email already on a contact or guest is shown first, to confirm or link."""
    company = company_for(request.user, pk)
    form = ContactForm(request.POST, user=request.user, prefix="contact")
    duplicates = None
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        link = data["link_guest"]
        if link is None:
            duplicates = contact_duplicates(user=request.user, phone=data["phone"], email=data["email"])
        if link is None and duplicates and not data["save_anyway"]:
            pass  # show the matches and the "save anyway" box
        else:
            try:
                saved = guest_services.contact_create(
                    actor=request.user, company=company, guest=link, **form.service_values(),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if duplicates:
                    audit_record(actor=request.user, action=AuditAction.CREATE_ANYWAY, company=company,
                                 field="contact", detail=_("Contact %(name)s saved despite a duplicate warning")
                                 % {"name": saved.name})
                if not request.htmx:
                    messages.success(request, _("Contact “%(name)s” added.") % {"name": saved.name})
                    return redirect(reverse("web:company_detail", args=[company.pk]) + "#contacts")
                form, duplicates = None, None
    sections = {"form": form, "duplicates": duplicates, "saved": saved}
    if request.htmx:
        return render(request, "web/companies/partials/contacts_section.html",
                      _contacts_context(request, company, **sections))
    return render(request, "web/companies/company_detail.html", _detail_context(request, company, contacts=sections))


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    qs = Contact.objects.visible_to(request.user).select_related("company")
    filterset = ContactListFilter(request.GET or None, queryset=qs, request=request)
    table = ContactTable(filterset.qs, order_by=request.GET.get("sort") or "name")
    RequestConfig(request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
    company = None
    if filterset.form.is_valid() and filterset.form.cleaned_data.get("company"):
        company = Company.objects.visible_to(request.user).filter(pk=filterset.form.cleaned_data["company"]).first()
    context = {"filter": filterset, "filter_form": compact_widgets(filterset.form), "table": table,
               "filter_company": company}
    if htmx_target(request) == "contact-table":
        return render(request, "web/contacts/partials/contact_table.html", context)
    return render(request, "web/contacts/contact_list.html", context)


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    guest = None
    if contact.guest_id:
        guest = Guest.objects.visible_to(request.user).filter(pk=contact.guest_id).first()
    colleagues = contact.company.contacts.exclude(pk=contact.pk).order_by("-is_active", "name")[:20]
    return render(request, "web/contacts/contact_detail.html", {
        "contact": contact,
        "company": contact.company,
        "guest": guest,
        "colleagues": colleagues,
        "last_contact": last_contact(company=contact.company),
    })


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    form = ContactEditForm(request.POST or None, instance=contact, user=request.user)
    duplicates = None
    stale = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored = Contact.objects.get(pk=contact.pk)
        link = data["link_guest"]
        if (data["phone"], data["email"]) != (stored.phone, stored.email) and link is None:
            duplicates = contact_duplicates(user=request.user, phone=data["phone"], email=data["email"],
                                            exclude_contact=contact.pk, exclude_guest=stored.guest_id)
        if not (duplicates and not data["save_anyway"]):
            try:
                saved = guest_services.contact_update(
                    actor=request.user, contact=stored, expected_version=data["version"],
                    guest=link or stored.guest, **form.service_values(),
                )
            except guest_services.StaleVersionError as exc:
                stale = True
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Contact “%(name)s” saved.") % {"name": saved.name})
                return redirect("web:contact_detail", pk=contact.pk)
    return render(request, "web/contacts/contact_form.html", {
        "form": form, "contact": Contact.objects.select_related("company").get(pk=contact.pk),
        "duplicates": duplicates, "stale": stale,
    })
