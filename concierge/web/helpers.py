"""Shared view plumbing: the one object-access helper, htmx-aware rendering and service-error mapping."""
from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

M = TypeVar("M", bound=Model)


def get_visible_or_404(model: type[M] | QuerySet, user: Any, pk: Any) -> M:
    """The object with `pk` if `user` may see it (property scoping via `visible_to`), else 404.

    Every web view fetches guest data through here, so scoping is decided in one place.
    """
    from concierge.guests.scoping import scope_queryset  # the function behind every `visible_to(user)`

    qs = model if isinstance(model, QuerySet) else model._default_manager.all()
    try:
        return scope_queryset(qs, user).get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(str(qs.model._meta.verbose_name)) from exc


def render_page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The full page normally; only `partial` (from templates/web/partials/) for htmx requests.

    History restores (`HX-History-Restore-Request`) need the full page, so they get it.
    """
    htmx = getattr(request, "htmx", None)
    use_partial = bool(htmx) and not htmx.history_restore_request and not htmx.boosted
    return render(request, partial if use_partial else template, context, status=status)


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, field_map: dict[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the form: dict keys become field errors, the rest non-field."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = field_map.get(name, name)
            if target not in form.fields or target == NON_FIELD_ERRORS:
                target = None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = 25, param: str = "page") -> Page:
    """A page of `queryset` from ?page= (out-of-range numbers give the last page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def client_ip(request: HttpRequest) -> str | None:
    """The remote address for audit records (no proxy headers are trusted here)."""
    return request.META.get("REMOTE_ADDR") or None


def csv_download(request: HttpRequest, *, name: str, filename: str, rows: Any, detail: str = "") -> Any:
    """A small table (header row first) as a streamed CSV download for the chart and table "download data" links:
    BOM so Excel reads UTF-8, text cells made formula-safe, audited as an export before the first byte leaves."""
    import csv

    from django.http import StreamingHttpResponse

    from concierge.core.choices import AuditAction
    from concierge.core.services import audit_record
    from concierge.imports.exports import neutralise

    audit_record(actor=request.user, action=AuditAction.EXPORT, field=name[:60], ip_address=client_ip(request),
                 detail=detail)

    class _Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Any:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(["" if v is None else neutralise(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
