"""Import and export pages: upload → mapping and preview → dry run / run (progress polled with htmx) → summary;
CSV/XLSX exports of the filtered lists; vCards of a company's contacts.

Views stay thin: access is decided by `concierge.imports.permissions`, objects come through the scoped
helpers, and the work is done by `concierge.imports` services and selectors.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.guests.filters import CompanyFilterSet, ContactFilterSet, GuestFilterSet
from concierge.guests.models import Company, Contact, Guest
from concierge.imports.choices import ImportStatus, IssueSeverity
from concierge.imports.exports import COLUMNS, ExportFile, contacts_vcard, queryset_export
from concierge.imports.forms import ImportUploadForm, MappingForm
from concierge.imports.models import ImportBatch
from concierge.imports.permissions import can_export, can_import
from concierge.imports.selectors import import_batches_for, import_preview, import_progress
from concierge.imports.services import import_batch_create, import_batch_set_mapping, import_batch_start
from concierge.stays.filters import StayFilterSet
from concierge.stays.models import Stay
from concierge.web.helpers import apply_service_errors, client_ip, get_visible_or_404, paginate

ISSUES_SHOWN = 200


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role cannot do this."))


def _batch_or_404(request: HttpRequest, pk: int) -> ImportBatch:
    try:
        return import_batches_for(user=request.user).get(pk=pk)
    except ImportBatch.DoesNotExist as exc:
        raise Http404(_("import")) from exc


# --- imports -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """The upload form and the user's recent imports."""
    _require(can_import(request.user))
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = import_batch_create(
                actor=request.user, kind=data["kind"], upload=data["file"], source=data["source"],
                match_mode=data["match_mode"], property=data.get("property"),
                create_properties=data.get("create_properties", False), all_or_nothing=data["all_or_nothing"],
                campaign_tag=data.get("campaign_tag", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map={"match": "match_mode"})
        else:
            return redirect("web:import_detail", pk=batch.pk)
    page = paginate(request, import_batches_for(user=request.user), per_page=20)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/imports/list.html", {"form": form, "page": page}, status=status)


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview and mapping before the run, the progress bar during it, the summary after it."""
    _require(can_import(request.user))
    batch = _batch_or_404(request, pk)
    context: dict[str, Any] = {"batch": batch, "progress": import_progress(batch=batch)}
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.DRY_RUN):
        preview = import_preview(batch=batch)
        context["preview"] = preview
        context["mapping_form"] = MappingForm(headers=preview.headers, choices=preview.choices,
                                              initial_mapping=preview.mapping)
    if batch.summary:
        context["summary"] = batch.summary
        context["rejected"] = batch.issues.filter(severity=IssueSeverity.ERROR)[:ISSUES_SHOWN]
        context["warnings"] = batch.issues.filter(severity=IssueSeverity.WARNING)[:ISSUES_SHOWN]
    return render(request, "web/imports/detail.html", context)


@login_required
@require_POST
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the column mapping chosen on the preview page."""
    _require(can_import(request.user))
    batch = _batch_or_404(request, pk)
    preview = import_preview(batch=batch, rows=0)
    form = MappingForm(request.POST, headers=preview.headers, choices=preview.choices,
                       initial_mapping=preview.mapping)
    if form.is_valid():
        try:
            import_batch_set_mapping(actor=request.user, batch=batch, mapping=form.mapping())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Column mapping saved."))
    return redirect("web:import_detail", pk=batch.pk)


@login_required
@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the dry run or the import; the detail page then polls its progress."""
    _require(can_import(request.user))
    batch = _batch_or_404(request, pk)
    try:
        import_batch_start(actor=request.user, batch=batch, dry_run=request.POST.get("dry_run") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:import_detail", pk=batch.pk)


@login_required
@require_GET
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (htmx polls it every second); once the import has finished the page reloads."""
    _require(can_import(request.user))
    batch = _batch_or_404(request, pk)
    response = render(request, "web/imports/partials/progress.html",
                      {"batch": batch, "progress": import_progress(batch=batch)})
    if batch.is_finished and getattr(request, "htmx", None):
        response["HX-Refresh"] = "true"
    return response


# --- exports -------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, kind: str) -> Any:
    """The list a page shows, filtered by the same FilterSet and query string; None when the filters are invalid."""
    user = request.user
    if kind == "guests":
        from concierge.web.forms import owners_for

        queryset = Guest.objects.visible_to(user).live().select_related("company")
        filterset: Any = GuestFilterSet(request.GET or None, queryset=queryset, request=request)
        filterset.filters["owner"].queryset = owners_for(user)
    elif kind == "companies":
        filterset = CompanyFilterSet(request.GET or None, queryset=Company.objects.visible_to(user), request=request)
    elif kind == "contacts":
        filterset = ContactFilterSet(request.GET or None, queryset=Contact.objects.visible_to(user), request=request)
    else:
        filterset = StayFilterSet(request.GET or None, queryset=Stay.objects.visible_to(user), request=request)
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs if filterset.is_bound else filterset.queryset


def _stream(export: ExportFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Rows"] = str(export.rows)
    return response


@login_required
@require_GET
def export_list(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """/exports/guests.csv?<the list's filters>: the filtered list as CSV or XLSX (audited)."""
    _require(can_export(request.user))
    if kind not in COLUMNS:
        raise Http404(kind)
    queryset = _filtered(request, kind)
    if queryset is None:
        return HttpResponseBadRequest(_("The filters are not valid."))
    detail = request.GET.urlencode()[:200]
    export = queryset_export(actor=request.user, queryset=queryset, columns=COLUMNS[kind], format=fmt, name=kind,
                             ip_address=client_ip(request), detail=detail)
    return _stream(export)


@login_required
@require_GET
def company_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    """The active contacts of a company as a .vcf file (?version=3.0 or 4.0, the default)."""
    _require(can_export(request.user))
    company = get_visible_or_404(Company, request.user, pk)
    version = request.GET.get("version", "4.0")
    if version not in ("3.0", "4.0"):
        return HttpResponseBadRequest(_("Choose vCard version 3.0 or 4.0."))
    export = contacts_vcard(actor=request.user, company=company, version=version, ip_address=client_ip(request),
                            contacts=company.contacts.filter(is_active=True).order_by("name"))
    return _stream(export)
