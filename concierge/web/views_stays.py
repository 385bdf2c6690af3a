"""Stay pages: list, detail (packages, revenue split, guest alerts, preference from the stay), create, edit."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from concierge.guests.models import Alert, Company, Guest
from concierge.guests.selectors import recognition_search, resolve_guest
from concierge.stays import services as stay_services
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay
from concierge.web.forms_companies import StayCreateForm, StayForm, StayListFilter, StayStatusForm
from concierge.web.helpers import apply_service_errors, get_visible_or_404
from concierge.web.tables_companies import STAY_STATUS_BADGES, StayTable
from concierge.web.views_companies import LIST_PAGE_SIZE, TOTAL_REVENUE, compact_widgets, htmx_target, int_or_none

# Status buttons offered on the stay page, by current status (any status can still be set on the edit form).
STATUS_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    StayStatus.RESERVED: [
        (StayStatus.IN_HOUSE, "bi-box-arrow-in-right", "btn-success"),
        (StayStatus.CANCELLED, "bi-x-circle", "btn-outline-secondary"),
        (StayStatus.NO_SHOW, "bi-person-x", "btn-outline-warning"),
    ],
    StayStatus.IN_HOUSE: [(StayStatus.CHECKED_OUT, "bi-box-arrow-right", "btn-primary")],
    StayStatus.CANCELLED: [(StayStatus.RESERVED, "bi-arrow-counterclockwise", "btn-outline-secondary")],
    StayStatus.NO_SHOW: [(StayStatus.RESERVED, "bi-arrow-counterclockwise", "btn-outline-secondary")],
}
PREFERENCE_PARTIAL = "web/partials/preference_form.html"


def stay_for(user: Any, pk: int) -> Stay:
    """The one place stay pages fetch a stay: scoped to the user's properties, otherwise a 404."""
    return get_visible_or_404(Stay.objects.select_related("guest", "company", "property"), user, pk)


def stay_list_queryset(user: Any) -> QuerySet:
    return (
        Stay.objects.visible_to(user)
        .select_related("guest", "company", "property")
        .annotate(revenue=TOTAL_REVENUE)
    )


@login_required
@require_GET
def stay_list(request: HttpRequest) -> HttpResponse:
    filterset = StayListFilter(request.GET or None, queryset=stay_list_queryset(request.user), request=request)
    # One property: its code on every row says nothing, and the table needs the room.
    single_property = (ids := request.user.property_ids()) is not None and len(ids) == 1
    table = StayTable(filterset.qs, exclude=("property",) if single_property else ())
    RequestConfig(request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
    context = {"filter": filterset, "filter_form": compact_widgets(filterset.form), "table": table}
    if filterset.form.is_valid():
        data = filterset.form.cleaned_data
        if data.get("company"):
            context["filter_company"] = Company.objects.visible_to(request.user).filter(pk=data["company"]).first()
        if data.get("guest"):
            context["filter_guest"] = Guest.objects.visible_to(request.user).filter(pk=data["guest"]).first()
    if htmx_target(request) == "stay-table":
        return render(request, "web/stays/partials/stay_table.html", context)
    return render(request, "web/stays/stay_list.html", context)


def _preference_partial() -> str | None:
    """The guest pages' "add preference" partial, when that engineer's template and url exist."""
    try:
        select_template([PREFERENCE_PARTIAL])
        reverse("web:preference_add", args=[0])
    except (TemplateDoesNotExist, NoReverseMatch):
        return None
    return PREFERENCE_PARTIAL


@login_required
@require_GET
def stay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stay = stay_for(request.user, pk)
    guest = None
    if stay.guest_id:
        guest = Guest.objects.visible_to(request.user).filter(pk=stay.guest_id).first()
    alerts = sorted(Alert.objects.filter(guest=guest, is_active=True), key=lambda a: (a.severity_rank,
                                                                                       -a.created_at.timestamp())) \
        if guest else []
    total = stay.total_revenue
    split = [
        (_("Room"), stay.room_revenue, "bg-primary"),
        (_("F&B"), stay.fnb_revenue, "bg-warning"),
        (_("Other"), stay.other_revenue, "bg-info"),
    ]
    split = [(label, amount, css, float(amount * 100 / total) if total else 0.0) for label, amount, css in split]
    company = None
    if stay.company_id:
        company = Company.objects.visible_to(request.user).filter(pk=stay.company_id).first()
    return render(request, "web/stays/stay_detail.html", {
        "stay": stay,
        "guest": guest,
        "company": company,
        "alerts": alerts,
        "items": list(stay.items.select_related("product").order_by("product__code")),
        "split": split,
        "status_badge": STAY_STATUS_BADGES.get(stay.status, "text-bg-light"),
        "status_actions": [
            (value, StayStatus(value).label, icon, css) for value, icon, css in STATUS_ACTIONS.get(stay.status, [])
        ],
        "preference_partial": _preference_partial() if guest else None,
        "other_stays": list(
            Stay.objects.visible_to(request.user).filter(guest_id=stay.guest_id).exclude(pk=stay.pk)
            .select_related("property")[:5]
        ) if guest else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def stay_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    guest = None
    raw_guest = request.POST.get("guest") if request.method == "POST" else request.GET.get("guest")
    if raw_guest:
        guest_id = int_or_none(raw_guest)
        if guest_id is None:
            raise Http404
        try:
            guest = resolve_guest(guest_id, user)
        except Guest.DoesNotExist as exc:
            raise Http404 from exc
    initial: dict[str, Any] = {}
    if guest is not None:
        initial["guest"] = guest.pk
        if guest.company_id and Company.objects.visible_to(user).filter(pk=guest.company_id).exists():
            initial["company"] = guest.company_id
            initial["market_segment"] = "corporate"
            initial["channel"] = "corporate"
    form = StayCreateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stay = stay_services.stay_create(
                actor=user, guest=data["guest"], property=data["property"],
                items=[p.code for p in data["products"]], **form.service_values(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Stay recorded."))
            return redirect("web:stay_detail", pk=stay.pk)
    hits = []
    query = (request.GET.get("q") or "").strip()
    if guest is None and query:
        hits = [h for h in recognition_search(user=user, query=query, limit=10) if h.kind == "guest"]
    context = {"form": form, "guest": guest, "query": query, "hits": hits, "stay": None}
    if htmx_target(request) == "guest-lookup":
        return render(request, "web/stays/partials/guest_lookup.html", context)
    return render(request, "web/stays/stay_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def stay_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stay = stay_for(request.user, pk)
    form = StayForm(request.POST or None, instance=stay, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            stay_services.stay_update(actor=request.user, stay=stay, **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Stay saved."))
            return redirect("web:stay_detail", pk=stay.pk)
    stored = stay_for(request.user, pk)
    guest = Guest.objects.visible_to(request.user).filter(pk=stored.guest_id).first() if stored.guest_id else None
    return render(request, "web/stays/stay_form.html", {"form": form, "stay": stored, "guest": guest})


@login_required
@require_POST
def stay_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Check in, check out, cancel, no-show or reinstate a stay from the stay page."""
    stay = stay_for(request.user, pk)
    form = StayStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown status."), status=400)
    try:
        stay_services.stay_update(actor=request.user, stay=stay, status=form.cleaned_data["status"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Status changed to %(status)s.") % {
            "status": StayStatus(form.cleaned_data["status"]).label})
    return redirect("web:stay_detail", pk=stay.pk)
