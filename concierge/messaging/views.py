"""Staff pages of messaging: templates (edit with live preview in both languages), the outbox, suppression rules.

Guests (preview) and outbox rows are fetched through `get_visible_or_404` / `visible_to`, so property scoping is
decided in one place; editing templates and rules needs `can_manage_messaging`.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.guests.models import Guest
from concierge.messaging import selectors, services
from concierge.messaging.filters import MessageFilterSet
from concierge.messaging.forms import MessageTemplateForm, SuppressionRuleForm
from concierge.messaging.models import Message, MessageTemplate, SuppressionRule
from concierge.messaging.permissions import can_manage_messaging
from concierge.messaging.rendering import PLACEHOLDERS, template_errors
from concierge.properties.models import Property
from concierge.web.helpers import apply_service_errors, get_visible_or_404, paginate, render_page_or_partial

PAGE_SIZE = 25


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_messaging(request.user):
        raise PermissionDenied


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.templates_all(), per_page=PAGE_SIZE)
    return render(request, "messaging/template_list.html",
                  {"page": page, "can_manage": can_manage_messaging(request.user)})


def _preview_guest(request: HttpRequest, raw: Any) -> Guest | None:
    if raw in (None, ""):
        return Guest.objects.visible_to(request.user).live().order_by("-id").first()
    return get_visible_or_404(Guest.objects.live(), request.user, raw)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    template = get_object_or_404(MessageTemplate, pk=pk) if pk else MessageTemplate()
    form = MessageTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_template_save(actor=request.user, template=form.instance)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("messaging:msg_template_edit", pk=form.instance.pk)
    guest = _preview_guest(request, request.GET.get("guest"))
    context = {"form": form, "template": template, "placeholders": PLACEHOLDERS, "preview_guest": guest,
               "previews": _previews(template if pk else None, guest)}
    return render(request, "messaging/template_form.html", context, status=400 if form.errors else 200)


def _previews(template: MessageTemplate | None, guest: Guest | None) -> list[dict[str, Any]]:
    if template is None or guest is None:
        return []
    rendered = services.preview_texts(template=template, guest=guest)
    return [{"language": lang, "label": _("Chinese") if lang.startswith("zh") else _("English"),
             "subject": r.subject, "body": r.body} for lang, r in rendered.items()]


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the edit form's current (unsaved) text rendered for the chosen guest, both languages."""
    _require_manager(request)
    guest = _preview_guest(request, request.POST.get("preview_guest"))
    draft = MessageTemplate(
        channel=request.POST.get("channel") or "email",
        subject_zh=request.POST.get("subject_zh", ""), subject_en=request.POST.get("subject_en", ""),
        body_zh=request.POST.get("body_zh", ""), body_en=request.POST.get("body_en", ""),
    )
    errors = {field: template_errors(getattr(draft, field)) for field in ("subject_zh", "body_zh", "subject_en",
                                                                          "body_en")}
    errors = {k: v for k, v in errors.items() if v}
    previews = [] if errors else _previews(draft, guest)
    return render(request, "messaging/partials/preview.html",
                  {"previews": previews, "errors": errors, "preview_guest": guest})


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    filterset = MessageFilterSet(request.GET or None, queryset=selectors.outbox_for(request.user))
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = paginate(request, rows, per_page=PAGE_SIZE)
    context = {"filter": filterset, "page": page}
    return render_page_or_partial(request, "messaging/outbox.html", "messaging/partials/outbox_table.html", context)


@login_required
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_visible_or_404(Message.objects.select_related("guest", "template", "property"), request.user, pk)
    return render(request, "messaging/message_detail.html", {"message": message})


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    properties = list(Property.objects.filter(is_active=True).order_by("code"))
    scoped = request.user.property_ids()
    if scoped is not None:
        properties = [p for p in properties if p.pk in scoped]
    rules = {r.property_id: r for r in SuppressionRule.objects.filter(property__in=properties)}
    rows = [{"property": p, "rule": rules.get(p.pk), "default": selectors.DEFAULT_RULE} for p in properties]
    return render(request, "messaging/rule_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, property_id: int) -> HttpResponse:
    _require_manager(request)
    scoped = request.user.property_ids()
    property_ = get_object_or_404(Property, pk=property_id)
    if scoped is not None and property_.pk not in scoped:
        raise PermissionDenied
    rule = SuppressionRule.objects.filter(property=property_).first() or SuppressionRule(property=property_)
    form = SuppressionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.suppression_rule_set(actor=request.user, property=property_, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Rules saved for %(property)s.") % {"property": property_})
            return redirect("messaging:msg_rule_list")
    return render(request, "messaging/rule_form.html", {"form": form, "property": property_},
                  status=400 if form.errors else 200)
