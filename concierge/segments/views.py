"""Segment pages under /segments/ (namespace "segments"): list, builder (htmx), detail with members, export.

Every page fetches its segment through `_segment_for`, so who may open (sales too) and who may change (marketing,
managers, administrators) is decided in one place; members are always computed within the user's properties.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.guests.services import StaleVersionError
from concierge.imports.choices import ExportFormat
from concierge.imports.exports import GUEST_COLUMNS, queryset_export
from concierge.segments import conditions as c
from concierge.segments import selectors, services
from concierge.segments.forms import MEASURES, RFM_LETTERS, SCALES, SegmentForm, builder_nodes, definition_from_post
from concierge.segments.models import Segment
from concierge.segments.permissions import can_manage_segments, can_view_segments
from concierge.web.helpers import client_ip, paginate, render_page_or_partial

PAGE_SIZE = 25


def _require_view(request: HttpRequest) -> None:
    if not can_view_segments(request.user):
        raise PermissionDenied(_("Your role cannot use segments."))


def _segment_for(request: HttpRequest, pk: int, *, manage: bool = False) -> Segment:
    """The one place segment pages fetch a segment: one the user may open (else 404); changing needs the role."""
    _require_view(request)
    segment = selectors.segments_for(request.user).filter(pk=pk).first()
    if segment is None:
        raise Http404(_("segment"))
    if manage and not can_manage_segments(request.user):
        raise PermissionDenied(_("Your role cannot change segments."))
    return segment


def _builder_context(request: HttpRequest, definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "root": builder_nodes(definition, request.user),
        "sections": c.field_sections(request.user),
        "measures": MEASURES, "scales": SCALES, "rfm_letters": RFM_LETTERS,
    }


def _count_context(request: HttpRequest, definition: dict[str, Any]) -> dict[str, Any]:
    """The live count, or the reasons the definition cannot be counted yet."""
    try:
        return {"count": selectors.count_definition(definition, request.user), "errors": []}
    except ValidationError as exc:
        return {"count": None, "errors": exc.messages}


# --- list -------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    rows = selectors.segments_for(request.user).order_by("name", "id")
    query = (request.GET.get("q") or "").strip()
    if query:
        rows = rows.filter(name__icontains=query)
    page = paginate(request, rows, per_page=PAGE_SIZE)
    context = {"page": page, "query": query, "can_manage": can_manage_segments(request.user)}
    return render_page_or_partial(request, "segments/segment_list.html", "segments/partials/segment_table.html",
                                  context)


# --- builder ----------------------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    form = SegmentForm(request.POST or None, instance=segment)
    if request.method == "POST":
        definition = definition_from_post(request.POST)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ("name", "description", "shared")}
            try:
                if segment is None:
                    saved = services.segment_create(actor=request.user, definition=definition, **values)
                else:
                    version = request.POST.get("version")
                    saved = services.segment_update(
                        actor=request.user, segment=segment, definition=definition,
                        expected_version=int(version) if (version or "").isdigit() else None, **values)
            except StaleVersionError as exc:
                form.add_error(None, exc.messages[0])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("segments:segment_detail", pk=saved.pk)
    else:
        definition = segment.definition if segment else {"op": "and", "items": [{"field": "", "operator": ""}]}
    context = {"form": form, "segment": segment, **_builder_context(request, definition),
               **_count_context(request, definition)}
    return render(request, "segments/segment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    if not can_manage_segments(request.user):
        raise PermissionDenied(_("Your role cannot change segments."))
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _segment_for(request, pk, manage=True))


@login_required
@require_POST
def builder(request: HttpRequest) -> HttpResponse:
    """htmx: apply one builder action (add/remove a row or group, change a field) and return the builder, with the
    count swapped out of band."""
    _require_view(request)
    definition = definition_from_post(request.POST, action=request.POST.get("action", ""))
    context = {**_builder_context(request, definition), **_count_context(request, definition), "oob": True}
    return render(request, "segments/partials/builder_response.html", context)


@login_required
@require_POST
def count(request: HttpRequest) -> HttpResponse:
    """htmx: the live count of the posted builder."""
    _require_view(request)
    return render(request, "segments/partials/count.html", _count_context(request, definition_from_post(request.POST)))


# --- detail, members, export, snapshots ---------------------------------------------------------------------


@login_required
@require_GET
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_for(request, pk)
    try:
        members = selectors.segment_members(segment, request.user)
    except ValidationError as exc:  # a field was retired since the segment was saved
        messages.error(request, " ".join(exc.messages))
        members = selectors.segment_queryset({"op": "and", "items": []}, request.user).none()
    members = members.select_related("company", "owner").order_by("-last_stay_on", "-id")
    page = paginate(request, members, per_page=PAGE_SIZE)
    if getattr(request, "htmx", None) and not request.htmx.history_restore_request:
        return render(request, "segments/partials/member_table.html", {"segment": segment, "page": page})
    breakdown = selectors.segment_breakdown(members)
    chart = {
        "regions": [{"name": label, "value": n} for _code, label, n in breakdown.regions],
        "tiers": [{"name": tier or _("(none)"), "value": n} for tier, n in breakdown.tiers],
    }
    context = {
        "segment": segment, "page": page, "description": c.describe_definition(segment.definition),
        "count": page.paginator.count, "snapshots": selectors.snapshots_of(segment)[:20],
        "can_manage": can_manage_segments(request.user), "chart": chart,
        "formats": ExportFormat.choices,
    }
    return render(request, "segments/segment_detail.html", context)


@login_required
@require_GET
def segment_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The members as CSV or XLSX with the guest import headers (audited, formula-safe: imports/exports.py)."""
    segment = _segment_for(request, pk)
    if fmt not in ExportFormat.values:
        raise Http404(fmt)
    members = selectors.segment_members(segment, request.user).order_by("id")
    export = queryset_export(actor=request.user, queryset=members, columns=GUEST_COLUMNS, format=fmt,
                             name="segment", ip_address=client_ip(request),
                             detail=f"segment {segment.pk}: {segment.name}"[:200])
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Rows"] = str(export.rows)
    return response


@login_required
@require_POST
def segment_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_for(request, pk, manage=True)
    snapshot = services.take_snapshot(segment=segment, actor=request.user,
                                      reason=(request.POST.get("reason") or "").strip())
    messages.success(request, _("Snapshot taken: %(count)s guests.") % {"count": snapshot.count})
    return redirect(reverse("segments:segment_detail", args=[segment.pk]) + "#snapshots")


@login_required
@require_POST
def segment_recount(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_for(request, pk)
    services.segment_recount(actor=request.user, segment=segment)
    return redirect("segments:segment_list")


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_for(request, pk, manage=True)
    services.segment_delete(actor=request.user, segment=segment)
    messages.success(request, _("Segment deleted."))
    return redirect("segments:segment_list")
