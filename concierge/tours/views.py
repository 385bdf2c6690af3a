"""Tour pages: products with departures and availability, product/departure editing, orders (place, change,
cancel, confirmation document). Every object is fetched through `get_visible_or_404` (property scoping);
writes need `can_manage_tours`."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.tours import selectors, services
from concierge.tours.documents import DOCX_CONTENT_TYPE, docx_filename, order_confirmation_docx
from concierge.tours.filters import OrderFilterSet, ProductFilterSet
from concierge.tours.forms import CancelForm, ChangeSeatsForm, DepartureForm, DocumentForm, OrderForm, ProductForm
from concierge.tours.models import Departure, Order, TourProduct
from concierge.tours.permissions import can_manage_tours
from concierge.web.helpers import apply_service_errors, get_visible_or_404, paginate, render_page_or_partial

PAGE_SIZE = 25


def _require_manage(request: HttpRequest) -> None:
    if not can_manage_tours(request.user):
        raise PermissionDenied


# --- products -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    filterset = ProductFilterSet(request.GET or None, queryset=selectors.products_for(request.user),
                                 request=request)
    page = paginate(request, filterset.qs.order_by("-is_active", "code"), per_page=PAGE_SIZE)
    context = {"filter": filterset, "page": page, "can_manage": can_manage_tours(request.user)}
    return render_page_or_partial(request, "tours/product_list.html", "tours/partials/product_table.html", context)


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_visible_or_404(TourProduct.objects.select_related("property"), request.user, pk)
    context = {
        "product": product,
        "page": paginate(request, selectors.upcoming_departures(product), per_page=PAGE_SIZE),
        "past": selectors.past_departures(product),
        "can_manage": can_manage_tours(request.user),
    }
    return render_page_or_partial(request, "tours/product_detail.html", "tours/partials/departure_table.html",
                                  context)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manage(request)
    product = get_visible_or_404(TourProduct, request.user, pk) if pk else None
    form = ProductForm(request.POST or None, instance=product, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_save(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect("tours:tour_product_detail", pk=product.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tours/product_form.html", {"form": form, "product": product}, status=status)


# --- departures -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def departure_edit(request: HttpRequest, product_pk: int, pk: int | None = None) -> HttpResponse:
    _require_manage(request)
    product = get_visible_or_404(TourProduct, request.user, product_pk)
    departure = get_visible_or_404(Departure.objects.filter(product=product), request.user, pk) if pk else None
    form = DepartureForm(request.POST or None, instance=departure)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("departs_on", "capacity", "price", "child_price", "status",
                                                    "note")}
        try:
            if departure is None:
                services.departure_create(actor=request.user, product=product, **values)
            else:
                services.departure_update(actor=request.user, departure=departure, **values)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Departure saved."))
            return redirect("tours:tour_product_detail", pk=product.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tours/departure_form.html", {"form": form, "product": product, "departure": departure},
                  status=status)


# --- orders ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    filterset = OrderFilterSet(request.GET or None, queryset=selectors.orders_for(request.user), request=request)
    page = paginate(request, filterset.qs, per_page=PAGE_SIZE)
    context = {"filter": filterset, "page": page, "can_manage": can_manage_tours(request.user)}
    return render_page_or_partial(request, "tours/order_list.html", "tours/partials/order_table.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    initial: dict[str, Any] = {"children": 0}
    for name in ("departure", "company", "guest"):
        value = request.GET.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    form = OrderForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_place(
                actor=request.user, departure=data["departure"], seats=data["seats"], children=data["children"],
                company=data["company"], guest=data["guest"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], note=data["note"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Order %(number)s confirmed.") % {"number": order.number})
            return redirect("tours:tour_order_detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tours/order_form.html", {"form": form}, status=status)


def _order_context(request: HttpRequest, order: Order, **forms: Any) -> dict[str, Any]:
    return {
        "order": order,
        "cancel_form": forms.get("cancel_form") or CancelForm(initial={"version": order.version}),
        "change_form": forms.get("change_form") or ChangeSeatsForm(
            initial={"seats": order.seats, "children": order.children, "version": order.version}),
        "can_manage": can_manage_tours(request.user),
    }


def _order_for(request: HttpRequest, pk: int) -> Order:
    return get_visible_or_404(selectors.orders_for(request.user), request.user, pk)


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_for(request, pk)
    return render(request, "tours/order_detail.html", _order_context(request, order))


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    order = _order_for(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"],
                                  expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Order %(number)s cancelled; its seats are free again.")
                             % {"number": order.number})
            return redirect("tours:tour_order_detail", pk=order.pk)
    return render(request, "tours/order_detail.html", _order_context(request, order, cancel_form=form), status=400)


@login_required
@require_POST
def order_change(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    order = _order_for(request, pk)
    form = ChangeSeatsForm(request.POST)
    if form.is_valid():
        try:
            services.order_change_seats(actor=request.user, order=order, seats=form.cleaned_data["seats"],
                                        children=form.cleaned_data["children"],
                                        expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Order %(number)s changed.") % {"number": order.number})
            return redirect("tours:tour_order_detail", pk=order.pk)
    return render(request, "tours/order_detail.html", _order_context(request, order, change_form=form), status=400)


@login_required
@require_GET
def order_document(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_for(request, pk)
    form = DocumentForm(request.GET)
    language = (form.cleaned_data.get("lang") if form.is_valid() else "") or (
        "zh-hans" if (get_language() or "").startswith("zh") else "en")
    from concierge.core.choices import AuditAction
    from concierge.core.services import audit_record
    from concierge.web.helpers import client_ip

    # Audited like every other download (it names the guest), before the document is built and sent.
    audit_record(actor=request.user, action=AuditAction.EXPORT, guest=order.guest, field="tour_order_confirmation",
                 detail=f"{order.number} ({language})", ip_address=client_ip(request))
    response = HttpResponse(order_confirmation_docx(order, language=language), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{docx_filename(order, language)}"'
    return response
