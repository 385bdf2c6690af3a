"""Contract pages: list (filters), detail (rates, production, history, actions), create/edit, transitions,
renewal and the DOCX download.

Every page fetches its contract through `_contract_for` (scoped by `Contract.objects.visible_to`), and every write
checks `permissions.can_manage_contract` — the same rules as the API.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.contracts import documents, selectors, services
from concierge.contracts.forms import ContractFilterForm, ContractForm, RateFormSet, ReasonForm, rate_inputs
from concierge.contracts.models import Contract
from concierge.contracts.permissions import (
    can_create_contracts,
    can_manage_company_contracts,
    can_manage_contract,
    manages_all,
)
from concierge.web.helpers import apply_service_errors, paginate, render_page_or_partial

PAGE_SIZE = 25


def _contract_for(request: HttpRequest, pk: int) -> Contract:
    """The one place contract pages fetch a contract: visible to the user, else 404."""
    try:
        return selectors.contract_for(request.user, pk)
    except Contract.DoesNotExist as exc:
        raise Http404(_("contract")) from exc


def _manageable_companies(user: Any) -> Any:
    from concierge.guests.models import Company

    qs = Company.objects.visible_to(user)
    if manages_all(user):
        return qs
    from django.db.models import Exists, OuterRef, Q

    try:
        from concierge.sales.models import AccountTeamMember

        on_team = Exists(AccountTeamMember.objects.filter(company_id=OuterRef("pk"), user_id=user.pk))
        return qs.filter(Q(owner_id=user.pk) | on_team)
    except ImportError:
        return qs.filter(owner_id=user.pk)


def _visible_properties(user: Any) -> Any:
    from concierge.properties.models import Property

    ids = user.property_ids()
    qs = Property.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    rows = selectors.contracts_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.contracts_filter(rows, status=data["status"], kind=data["kind"], owner=data["owner"],
                                          expiring_within=data["expiring_within"], q=data["q"])
    page = paginate(request, rows.order_by("end_date", "pk"), per_page=PAGE_SIZE)
    context = {"form": form, "page": page, "can_create": can_create_contracts(request.user)}
    return render_page_or_partial(request, "contracts/contract_list.html", "contracts/partials/contract_table.html",
                                  context)


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk)
    can_manage = can_manage_contract(request.user, contract)
    context = {
        "contract": contract,
        "rates": selectors.contract_rates(contract),
        "properties": contract.properties.order_by("code"),
        "production": selectors.contract_production(contract),
        "history": selectors.contract_history(contract)[:50],
        "renewals": contract.renewals.order_by("-start_date"),
        "can_manage": can_manage,
        "actions": _actions(contract) if can_manage else [],
        "reason_form": ReasonForm(),
    }
    return render(request, "contracts/contract_detail.html", context)


def _actions(contract: Contract) -> list[str]:
    """The workflow buttons the detail page offers for the contract's current status."""
    names = [action for action, target in ACTION_TARGETS.items()
             if contract.status in services.TRANSITIONS[target]]
    if contract.status in ("signed", "active", "expired", "terminated"):
        names.append("renew")
    return names


ACTION_TARGETS = {"send": "sent", "sign": "signed", "activate": "active", "expire": "expired",
                  "terminate": "terminated", "cancel": "cancelled"}


@login_required
@require_POST
def contract_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    contract = _contract_for(request, pk)
    if not can_manage_contract(request.user, contract):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("contracts:contract_detail", pk=contract.pk)
    try:
        services.contract_action(actor=request.user, contract=contract, action=action, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        contract.refresh_from_db()
        messages.success(request, _("Contract %(number)s is now %(status)s.")
                         % {"number": contract.number, "status": contract.get_status_display()})
    return redirect("contracts:contract_detail", pk=contract.pk)


@login_required
@require_POST
def contract_renew(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk)
    if not can_manage_contract(request.user, contract):
        raise PermissionDenied
    try:
        new = services.contract_renew(actor=request.user, contract=contract)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("contracts:contract_detail", pk=contract.pk)
    messages.success(request, _("Renewal %(number)s created as a draft.") % {"number": new.number})
    return redirect("contracts:contract_detail", pk=new.pk)


@login_required
@require_GET
def contract_document(request: HttpRequest, pk: int, lang: str) -> HttpResponse:
    contract = _contract_for(request, pk)
    if lang not in documents.LANGUAGES:
        raise Http404(lang)
    from concierge.core.choices import AuditAction
    from concierge.core.services import audit_record
    from concierge.web.helpers import client_ip

    # Audited like every other download, before the document is built and sent.
    audit_record(actor=request.user, action=AuditAction.EXPORT, company=contract.company, field="contract_document",
                 detail=f"{contract.number} ({lang})", ip_address=client_ip(request))
    response = HttpResponse(
        documents.contract_docx(contract, lang=lang),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.document_filename(contract, lang)}"'
    return response


def _rate_initial(contract: Contract) -> list[dict[str, Any]]:
    return [{"property": r.property_id, "room_type": r.room_type, "season_name": r.season_name,
             "season_start": r.season_start, "season_end": r.season_end, "rate": r.rate,
             "breakfast_included": r.breakfast_included} for r in contract.rates.order_by("pk")]


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None) or edit a draft/sent contract with its rate rows."""
    user = request.user
    contract = _contract_for(request, pk) if pk else None
    if contract is not None and not can_manage_contract(user, contract):
        raise PermissionDenied
    if contract is None and not can_create_contracts(user):
        raise PermissionDenied
    if contract is not None and not contract.is_editable:
        messages.error(request, _("A %(status)s contract can no longer be edited; renew it to change terms.")
                       % {"status": contract.get_status_display()})
        return redirect("contracts:contract_detail", pk=contract.pk)
    companies = _manageable_companies(user)
    properties = _visible_properties(user)
    initial: dict[str, Any] = {}
    if contract is None and request.GET.get("company", "").isdigit():
        initial["company"] = int(request.GET["company"])
    form = ContractForm(request.POST or None, instance=contract, companies=companies, properties=properties,
                        initial=initial)
    formset = RateFormSet(request.POST or None, prefix="rates",
                          initial=_rate_initial(contract) if contract and not request.POST else None,
                          form_kwargs={"properties": properties})
    status = 200
    if request.method == "POST":
        version = request.POST.get("version")
        if form.is_valid() and formset.is_valid():
            company = form.cleaned_data["company"] if contract is None else contract.company
            if contract is None and not can_manage_company_contracts(user, company):
                form.add_error("company", _("You do not manage this account."))
            else:
                try:
                    with transaction.atomic():
                        if contract is None:
                            saved = services.contract_create(
                                actor=user, company=company, properties=form.cleaned_data["properties"],
                                rates=rate_inputs(formset), **form.service_values())
                        else:
                            saved = services.contract_update(
                                actor=user, contract=contract, properties=form.cleaned_data["properties"],
                                rates=rate_inputs(formset),
                                expected_version=int(version) if (version or "").isdigit() else None,
                                **form.service_values())
                except ValidationError as exc:
                    apply_service_errors(form, exc, field_map={"season_start": "__all__", "season_end": "__all__",
                                                               "rate": "__all__", "room_type": "__all__",
                                                               "property": "__all__"})
                else:
                    messages.success(request, _("Contract %(number)s saved.") % {"number": saved.number})
                    return redirect("contracts:contract_detail", pk=saved.pk)
        status = 400
    return render(request, "contracts/contract_form.html",
                  {"form": form, "formset": formset, "contract": contract}, status=status)
