"""Lost & found pages: the log, a new item, the item with its matching stays and return/dispose."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from concierge.cases import services
from concierge.cases.choices import LOST_ITEM_OPEN
from concierge.cases.filters import LostItemFilterSet
from concierge.cases.forms import LostDisposeForm, LostItemForm, LostReturnForm
from concierge.cases.models import Case, LostItem
from concierge.cases.tables import LostItemTable
from concierge.cases.views.cases import _compact
from concierge.cases.views.common import htmx_target, lost_item_for
from concierge.web.helpers import apply_service_errors, get_visible_or_404


@login_required
@require_GET
def lost_list(request: HttpRequest) -> HttpResponse:
    queryset = LostItem.objects.visible_to(request.user).select_related("property", "guest")
    filterset = LostItemFilterSet(request.GET or None, queryset=queryset, request=request)
    if (ids := request.user.property_ids()) is not None and len(ids) == 1:
        del filterset.form.fields["property"]
    table = LostItemTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    context = {"filter": filterset, "filter_form": _compact(filterset.form), "table": table,
               "open_count": queryset.open().count()}
    if htmx_target(request) == "lost-table":
        return render(request, "cases/partials/lost_table.html", context)
    return render(request, "cases/lost_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lost_create(request: HttpRequest) -> HttpResponse:
    case = None
    raw_case = request.POST.get("case") or request.GET.get("case")
    if raw_case:
        case = get_visible_or_404(Case.objects.select_related("property", "stay"), request.user, raw_case)
    initial: dict[str, Any] = {}
    if case is not None:
        initial.update(property=case.property_id, room_number=case.stay.room_number if case.stay_id else "",
                       description=case.subject[:300])
    form = LostItemForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            item = services.lost_item_create(actor=request.user, case=case, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if item.guest_id:
                messages.success(request, _("Item logged and matched to %(guest)s.") % {"guest": item.guest})
            else:
                messages.success(request, _("Item logged. No stay matched that room and date."))
            return redirect("cases:lost_detail", pk=item.pk)
    return render(request, "cases/lost_form.html", {"form": form, "case": case}, status=400 if form.errors else 200)


def _detail(request: HttpRequest, item: LostItem, status: int = 200, **forms: Any) -> HttpResponse:
    candidates = list(services.lost_item_candidate_stays(item).filter(
        property_id__in=[item.property_id])[:10]) if item.status in LOST_ITEM_OPEN else []
    context = {"item": item, "candidates": candidates, "is_open": item.status in LOST_ITEM_OPEN,
               "return_form": LostReturnForm(), "dispose_form": LostDisposeForm(), **forms}
    return render(request, "cases/lost_detail.html", context, status=status)


@login_required
@require_GET
def lost_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, lost_item_for(request, pk))


@login_required
@require_POST
def lost_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """match (POST stay), notify (POST via), return, dispose."""
    item = lost_item_for(request, pk)
    try:
        if action == "match":
            stay = get_visible_or_404(services.lost_item_candidate_stays(item), request.user, request.POST.get("stay"))
            services.lost_item_match(actor=request.user, item=item, stay=stay)
            messages.success(request, _("Matched to %(guest)s.") % {"guest": stay.guest or "—"})
        elif action == "notify":
            services.lost_item_notify(actor=request.user, item=item, via=request.POST.get("via", "email"))
            messages.success(request, _("Guest notified."))
        elif action == "return":
            form = LostReturnForm(request.POST)
            if not form.is_valid():
                return _detail(request, item, 400, return_form=form)
            services.lost_item_return(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("Marked as returned."))
        elif action == "dispose":
            form = LostDisposeForm(request.POST)
            if not form.is_valid():
                return _detail(request, item, 400, dispose_form=form)
            services.lost_item_dispose(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, _("Marked as disposed of."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("cases:lost_detail", pk=item.pk)
