"""Case pages: the list, opening and editing a case, the case page and its workflow actions."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from concierge.cases import services
from concierge.cases.choices import DONE_STATUSES, OPEN_STATUSES, TRANSITIONS, CaseStatus, GuestToldVia, LoopStep
from concierge.cases.filters import CaseFilterSet
from concierge.cases.forms import (
    AssignForm,
    CaseForm,
    GuestToldForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    RespondForm,
    TransitionForm,
)
from concierge.cases.models import Case
from concierge.cases.permissions import can_edit_kb
from concierge.cases.selectors import case_list as case_list_qs
from concierge.cases.selectors import kb_suggest
from concierge.cases.services.loop import account_manager_for, followup_hook
from concierge.cases.tables import CaseTable
from concierge.cases.views.common import audit_case_view, case_for, htmx_target
from concierge.guests.models import Company, Guest
from concierge.guests.selectors import resolve_guest
from concierge.stays.models import Stay
from concierge.web.helpers import apply_service_errors, get_visible_or_404

LIST_PAGE_SIZE = 25
# Buttons offered for plain status moves, by target status (resolve and reopen have their own forms).
MOVE_BUTTONS = {
    CaseStatus.IN_PROGRESS: ("bi-play-circle", "btn-primary", gettext_lazy("Start work")),
    CaseStatus.WAITING: ("bi-pause-circle", "btn-outline-secondary", gettext_lazy("Wait for the guest")),
    CaseStatus.CLOSED: ("bi-archive", "btn-outline-primary", gettext_lazy("Close")),
}


def _compact(form: Any) -> Any:
    for bound in form:
        widget = bound.field.widget
        if widget.is_hidden:
            continue
        for sub in getattr(widget, "widgets", [widget]):
            if getattr(sub, "input_type", "") == "checkbox":
                sub.attrs.setdefault("class", "form-check-input")
            elif getattr(sub, "input_type", "") == "select":
                sub.attrs.setdefault("class", "form-select form-select-sm")
            else:
                sub.attrs.setdefault("class", "form-control form-control-sm")
    return form


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Filterable case list (open cases by default); htmx filter changes swap only the table."""
    params = request.GET.copy()
    if not params:
        params["state"] = "open"
    queryset = case_list_qs(user=request.user)
    filterset = CaseFilterSet(params, queryset=queryset, request=request)
    single_property = (ids := request.user.property_ids()) is not None and len(ids) == 1
    if single_property:
        del filterset.form.fields["property"]
    table = CaseTable(filterset.qs, exclude=("owner",) if params.get("mine") else ())
    RequestConfig(request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
    context = {"filter": filterset, "filter_form": _compact(filterset.form), "table": table}
    if htmx_target(request) == "case-table":
        return render(request, "cases/partials/case_table.html", context)
    now = timezone.now()
    context["stats"] = queryset.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"),
        breached=Count("id", filter=Q(response_breached=True) | Q(resolution_breached=True)),
        due_soon=Count("id", filter=Q(resolution_due_at__gt=now, resolution_due_at__lte=now + dt.timedelta(hours=4),
                                      resolved_at__isnull=True)),
        mine=Count("id", filter=Q(owner=request.user)),
        unassigned=Count("id", filter=Q(owner__isnull=True)),
    )
    return render(request, "cases/case_list.html", context)


def _prefill(request: HttpRequest) -> tuple[Guest | None, Company | None, list[Stay], dict[str, Any]]:
    """Guest, company and stay the new case is about, from ?guest= / ?company= / ?stay= (scoped)."""
    source = request.POST if request.method == "POST" else request.GET
    guest = company = None
    initial: dict[str, Any] = {}
    if source.get("stay"):
        stay = get_visible_or_404(Stay, request.user, source["stay"])
        initial["stay"] = stay.pk
        initial["property"] = stay.property_id
        if stay.guest_id:
            source = source.copy()
            source.setdefault("guest", str(stay.guest_id))
    if source.get("guest"):
        try:
            guest = resolve_guest(int(source["guest"]), request.user)
        except (Guest.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        initial["guest"] = guest.pk
        if guest.company_id and Company.objects.visible_to(request.user).filter(pk=guest.company_id).exists():
            company = guest.company
    if source.get("company"):
        company = get_visible_or_404(Company, request.user, source["company"])
        initial["company"] = company.pk
    if company is not None:
        initial.setdefault("company", company.pk)
    stays = list(Stay.objects.visible_to(request.user).filter(guest=guest).select_related("property")[:10]) \
        if guest else []
    if stays and "stay" not in initial:
        current = next((s for s in stays if s.status == "in_house"), None)
        if current is not None:
            initial["stay"] = current.pk
            initial["property"] = current.property_id
    if request.GET.get("channel"):
        initial["channel"] = request.GET["channel"]
    return guest, company, stays, initial


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case, for a guest or company when the link says so (from the screen pop or the guest card)."""
    guest, company, stays, initial = _prefill(request)
    form = CaseForm(request.POST or None, user=request.user, stays=stays, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stay = next((s for s in stays if s.pk == data.get("stay")), None)
        try:
            case = services.case_create(
                actor=request.user, property=data["property"], subject=data["subject"],
                case_type=data["case_type"], priority=data["priority"], severity=data["severity"],
                department=data["department"], channel=data["channel"], description=data["description"],
                guest=guest, company=company, stay=stay, owner=data.get("owner"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(case)s opened.") % {"case": case.reference})
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "guest": guest, "company": company},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    stays = list(Stay.objects.visible_to(request.user).filter(guest_id=case.guest_id).select_related("property")[:10]) \
        if case.guest_id else []
    initial = {name: getattr(case, name) for name in ("case_type", "subject", "description", "department", "channel",
                                                      "priority", "severity")}
    initial.update(property=case.property_id, stay=case.stay_id)
    form = CaseForm(request.POST or None, user=request.user, stays=stays, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stay = next((s for s in stays if s.pk == data.get("stay")), None)
        try:
            services.case_update(actor=request.user, case=case, stay=stay, **{
                name: data[name] for name in ("case_type", "subject", "description", "department", "channel",
                                              "priority", "severity")})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "guest": case.guest,
                                                    "company": case.company}, status=400 if form.errors else 200)


def _moves(case: Case) -> list[dict[str, Any]]:
    return [
        {"status": status, "label": _("Resume work") if case.status == CaseStatus.WAITING and
         status == CaseStatus.IN_PROGRESS else MOVE_BUTTONS[status][2], "icon": MOVE_BUTTONS[status][0],
         "css": MOVE_BUTTONS[status][1]}
        for status in TRANSITIONS.get(case.status, ())
        if status in MOVE_BUTTONS and not (case.status in DONE_STATUSES and status == CaseStatus.IN_PROGRESS)
    ]


def _detail_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    events = list(case.events.select_related("actor").order_by("-at", "-id")[:100])
    manager = account_manager_for(case)
    resolve_initial = {"guest_told_via": GuestToldVia.EMAIL if case.guest_id and case.guest.email
                       else (GuestToldVia.PHONE if case.guest_id else GuestToldVia.NOT_TOLD),
                       "root_cause": case.root_cause_id, "compensation_type": case.compensation_type}
    # The track marks the statuses this case actually went through (a quick answer skips "assigned").
    order = list(CaseStatus.values)
    current = order.index(case.status)
    visited = {CaseStatus.NEW, *(e.to_status for e in events if e.to_status)}
    workflow = [{"label": CaseStatus(value).label,
                 "state": "current" if i == current else ("done" if i < current and value in visited else "")}
                for i, value in enumerate(order)]
    context = {
        "case": case,
        "workflow": workflow,
        "events": events,
        "moves": _moves(case),
        "account_manager": manager,
        "followup_available": followup_hook() is not None,
        "articles": kb_suggest(user=request.user, cases=[case]) if case.is_open else [],
        "linked_articles": list(case.articles.all()[:5]),
        "lost_items": list(case.lost_items.all()[:5]),
        "can_edit_kb": can_edit_kb(request.user),
        "assign_form": AssignForm(property_id=case.property_id, initial={"owner": case.owner_id}),
        "respond_form": RespondForm(),
        "note_form": NoteForm(),
        "resolve_form": ResolveForm(initial=resolve_initial),
        "reopen_form": ReopenForm(),
        "told_form": GuestToldForm(),
        "loop_pending": case.loop_guest in (LoopStep.PENDING, LoopStep.FAILED),
        "open_panel": "",
    }
    context.update(forms)
    return context


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header with SLA clocks, customer, actions, the closed-loop checklist and the history."""
    case = case_for(request, pk)
    audit_case_view(request, case)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _after_action(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:case_detail", pk=case.pk)


def _form_error(request: HttpRequest, case: Case, panel: str, **forms: Any) -> HttpResponse:
    case = case_for(request, case.pk)
    context = _detail_context(request, case, **forms)
    context["open_panel"] = panel
    return render(request, "cases/case_detail.html", context, status=400)


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = AssignForm(request.POST, property_id=case.property_id)
    if form.is_valid():
        try:
            services.case_assign(actor=request.user, case=case, owner=form.cleaned_data["owner"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            owner = form.cleaned_data["owner"]
            return _after_action(request, case, _("Case assigned to %(owner)s.") % {"owner": owner})
    return _form_error(request, case, "assign", assign_form=form)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.case_transition(actor=request.user, case=case, status=form.cleaned_data["status"],
                                     note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("cases:case_detail", pk=case.pk)
        return _after_action(request, case, _("Status changed to “%(status)s”.") % {
            "status": CaseStatus(form.cleaned_data["status"]).label})
    messages.error(request, _("Choose a status."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def case_respond(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.case_respond(actor=request.user, case=case, note=form.cleaned_data["note"],
                                  channel=form.cleaned_data["channel"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_action(request, case, _("Response logged."))
    return _form_error(request, case, "respond", respond_form=form)


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.case_note(actor=request.user, case=case, note=form.cleaned_data["note"])
        return _after_action(request, case, _("Note added."))
    return _form_error(request, case, "note", note_form=form)


@login_required
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_resolve(
                actor=request.user, case=case, resolution=data["resolution"], root_cause=data["root_cause"],
                compensation_type=data["compensation_type"] or "", compensation_amount=data["compensation_amount"],
                guest_told_via=data["guest_told_via"], guest_message=data["guest_message"],
                alert_text=data["alert_text"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_action(request, case, _("Case resolved."))
    return _form_error(request, case, "resolve", resolve_form=form)


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.case_reopen(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_action(request, case, _("Case reopened."))
    return _form_error(request, case, "reopen", reopen_form=form)


@login_required
@require_POST
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    try:
        services.case_escalate(actor=request.user, case=case, note=request.POST.get("note", "")[:2000])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("cases:case_detail", pk=case.pk)
    return _after_action(request, case, _("Case escalated."))


@login_required
@require_POST
def case_guest_told(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = GuestToldForm(request.POST)
    if form.is_valid():
        try:
            services.case_guest_told(actor=request.user, case=case, via=form.cleaned_data["via"],
                                     note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _after_action(request, case, _("Recorded."))
    return _form_error(request, case, "told", told_form=form)


@login_required
@require_POST
def case_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the resolution becomes a draft knowledge-base article, opened for editing."""
    case = case_for(request, pk)
    if not can_edit_kb(request.user):
        messages.error(request, _("Only service agents, quality and managers write knowledge-base articles."))
        return redirect("cases:case_detail", pk=case.pk)
    try:
        article = services.case_promote_to_article(actor=request.user, case=case)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("cases:case_detail", pk=case.pk)
    messages.success(request, _("Draft article created from the resolution. Add the other language and publish."))
    return redirect(reverse("cases:kb_edit", args=[article.pk]))
