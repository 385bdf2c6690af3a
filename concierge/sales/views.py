"""Account management pages (namespace "sales"): Today, my accounts by value (the onboarding page), the account page
(plan, team, ownership history, group tree, tasks), owner change, logging a contact from the contact page, the
handover and role help pages.

Companies are fetched through `visible_to(user)` (invisible: 404); changes also need `can_work_account` (reps:
own accounts; sales managers, managers, administrators: all visible accounts), the same rules as the API.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.core.choices import CONTACT_KINDS
from concierge.guests.models import Company, Contact
from concierge.guests.selectors import last_contact
from concierge.sales import selectors, services
from concierge.sales.forms import AccountPlanForm, ContactLogForm, HandoverForm, OwnerChangeForm, TeamMemberForm
from concierge.sales.models import AccountTeamMember
from concierge.sales.permissions import can_change_owner, can_handover, can_work_account, is_sales_manager
from concierge.web.helpers import apply_service_errors, get_visible_or_404, paginate, render_page_or_partial
from concierge.worklist.models import Task, TaskStatus

PAGE_SIZE = 25
HELP_ROLES = ("front_desk", "service", "sales_rep", "sales_manager", "marketing", "manager")


def _company_for(request: HttpRequest, pk: int) -> Company:
    return get_visible_or_404(Company.objects.select_related("owner", "parent"), request.user, pk)


def _require_work(request: HttpRequest, company: Company) -> None:
    if not can_work_account(request.user, company):
        raise PermissionDenied(_("Only the account's team and sales managers may change this account."))


# --- today and my accounts ------------------------------------------------------------------------------------


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The rep's day: overdue and due tasks, accounts due for contact, birthdays this week, expiring contracts."""
    day = timezone.localdate()
    return render(request, "sales/today.html", {"page_data": selectors.today_for(request.user, today=day),
                                                "today": day})


@login_required
@require_GET
def my_accounts(request: HttpRequest) -> HttpResponse:
    """A rep's accounts by value (revenue of the last 12 months) with the last interaction and open items.
    Managers may look at a colleague's list with ?owner=<id>."""
    owner = request.user
    owner_id = request.GET.get("owner") or ""
    if owner_id.isdigit() and int(owner_id) != request.user.pk:
        if not is_sales_manager(request.user):
            raise PermissionDenied
        owner = get_object_or_404(get_user_model(), pk=int(owner_id))
    companies = Company.objects.visible_to(request.user).filter(owner=owner)
    page = paginate(request, selectors.accounts_by_value(request.user, companies), per_page=PAGE_SIZE)
    context = {"page": page, "owner": owner, "is_self": owner.pk == request.user.pk,
               "first_visit": not Task.objects.filter(assignee=request.user, status=TaskStatus.DONE).exists()}
    return render_page_or_partial(request, "sales/my_accounts.html", "sales/partials/account_table.html", context)


# --- account page ---------------------------------------------------------------------------------------------


def _account_context(request: HttpRequest, company: Company, **forms: Any) -> dict[str, Any]:
    user = request.user
    plan = selectors.account_plan(company)
    tree = selectors.company_tree(company=company, user=user)
    plan_initial = {"potential_room_nights": plan.potential_room_nights, "competitor_hotels": plan.competitor_hotels,
                    "goals": plan.goals, "notes": plan.notes} if plan else {}
    return {
        "company": company,
        "plan": plan,
        "plan_form": forms.get("plan_form") or AccountPlanForm(initial=plan_initial),
        "team": list(selectors.account_team(company)),
        "team_form": forms.get("team_form") or TeamMemberForm(user=user),
        "owner_form": forms.get("owner_form") or OwnerChangeForm(user=user),
        "ownerships": list(selectors.ownership_history(company)[:50]),
        "decision_makers": list(selectors.decision_makers(company)),
        "tree": selectors.flatten_tree(tree),
        "tree_root": tree,
        "tasks": list(Task.objects.filter(company=company, status=TaskStatus.OPEN).select_related("assignee")
                      .order_by("due_on", "id")[:50]),
        "last_contact": last_contact(company=company),
        "can_work": can_work_account(user, company),
        "can_change_owner": can_change_owner(user, company),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    return render(request, "sales/account_detail.html", _account_context(request, company))


@login_required
@require_POST
def account_plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    _require_work(request, company)
    form = AccountPlanForm(request.POST)
    if form.is_valid():
        try:
            services.account_plan_save(company=company, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Account plan saved."))
            return redirect("sales:account_detail", pk=company.pk)
    return render(request, "sales/account_detail.html", _account_context(request, company, plan_form=form),
                  status=400)


@login_required
@require_POST
def account_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    _require_work(request, company)
    form = TeamMemberForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.account_team_add(company=company, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the account team.") % {"name": form.cleaned_data["user"]})
            return redirect(reverse("sales:account_detail", args=[company.pk]) + "#team")
    return render(request, "sales/account_detail.html", _account_context(request, company, team_form=form),
                  status=400)


@login_required
@require_POST
def account_team_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    company = _company_for(request, pk)
    _require_work(request, company)
    member = get_object_or_404(AccountTeamMember, pk=member_id, company=company)
    services.account_team_remove(member=member, actor=request.user)
    messages.info(request, _("Removed from the account team."))
    return redirect(reverse("sales:account_detail", args=[company.pk]) + "#team")


@login_required
@require_POST
def account_owner_change(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company_for(request, pk)
    if not can_change_owner(request.user, company):
        raise PermissionDenied(_("Only sales managers and the account manager may reassign this account."))
    form = OwnerChangeForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.company_owner_change(company=company, new_owner=data["new_owner"], actor=request.user,
                                          reason=data["reason"], on=data["on"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(company)s now belongs to %(name)s.")
                             % {"company": company, "name": data["new_owner"]})
            return redirect(reverse("sales:account_detail", args=[company.pk]) + "#ownership")
    return render(request, "sales/account_detail.html", _account_context(request, company, owner_form=form),
                  status=400)


# --- logging a contact from the contact page -------------------------------------------------------------------


@login_required
@require_POST
def contact_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a call/visit/meeting/email with a contact. If someone contacted the company after the form was drawn,
    show "last contacted by X, N days ago" first; submitting again logs it."""
    contact = get_visible_or_404(Contact.objects.select_related("company", "guest"), request.user, pk)
    form = ContactLogForm(request.POST, prefix="log")
    meanwhile = None
    if form.is_valid():
        data = form.cleaned_data
        newest = _latest_contact_id(contact.company)
        if data["kind"] in CONTACT_KINDS and newest and newest != data["seen_contact"]:
            meanwhile = last_contact(company=contact.company)
            form = ContactLogForm({**request.POST.dict(), "log-seen_contact": newest}, prefix="log")
            form.is_valid()
        else:
            try:
                services.contact_interaction_log(actor=request.user, contact=contact, kind=data["kind"],
                                                 summary=data["summary"], body=data["body"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Logged on the timeline."))
                return redirect("web:contact_detail", pk=contact.pk)
    return render(request, "sales/contact_log.html",
                  {"contact": contact, "company": contact.company, "form": form, "contacted_meanwhile": meanwhile,
                   "last_contact": last_contact(company=contact.company)}, status=400 if meanwhile is None else 409)


def _latest_contact_id(company: Company) -> int | None:
    from concierge.web.views_companies import latest_contact_id

    return latest_contact_id(company)


# --- handover --------------------------------------------------------------------------------------------------


def _handover_rows(request: HttpRequest, from_user: Any) -> list[Any]:
    companies = Company.objects.visible_to(request.user).filter(owner=from_user)
    return list(selectors.accounts_by_value(request.user, companies)[:500])


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    """Move everything a rep owns to colleagues in one action (sales managers, managers, administrators)."""
    if not can_handover(request.user):
        raise PermissionDenied
    form = HandoverForm(request.POST or request.GET or None, user=request.user)
    rows: list[Any] = []
    from_user = None
    if form.is_bound and form.is_valid():
        from_user = form.cleaned_data["from_user"]
    if from_user is not None:
        rows = _handover_rows(request, from_user)
    if request.method == "POST" and form.is_valid() and from_user is not None:
        colleagues = {u.pk: u for u in form.fields["default_to"].queryset}
        assignments = {}
        for row in rows:
            raw = request.POST.get(f"to_{row.pk}") or ""
            if raw.isdigit():
                if int(raw) not in colleagues:
                    form.add_error(None, _("Choose a colleague from the list for %(company)s.") % {"company": row})
                    break
                assignments[row.pk] = colleagues[int(raw)]
        else:
            hidden = Company.objects.filter(owner=from_user).exclude(
                pk__in=[row.pk for row in rows]).count()
            if hidden and form.cleaned_data["deactivate"]:
                form.add_error("deactivate", _("%(name)s also owns %(n)s accounts outside your properties; ask a "
                                               "group manager to hand those over first.")
                               % {"name": from_user, "n": hidden})
            else:
                try:
                    result = services.handover_run(
                        from_user=from_user, actor=request.user, companies=rows,
                        default_to=form.cleaned_data["default_to"], assignments=assignments,
                        reason=form.cleaned_data["reason"], deactivate=form.cleaned_data["deactivate"])
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                else:
                    messages.success(request, _("Handover done."))
                    return redirect("sales:handover_detail", pk=result.pk)
    context = {"form": form, "from_user": from_user, "rows": rows,
               "colleagues": list(form.fields["default_to"].queryset.exclude(pk=getattr(from_user, "pk", None))),
               "recent": paginate(request, selectors.handovers_visible(request.user), per_page=10)}
    return render(request, "sales/handover.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_handover(request.user):
        raise PermissionDenied
    record = get_object_or_404(selectors.handovers_visible(request.user), pk=pk)
    users = get_user_model().objects.in_bulk({item["to"] for item in record.items})
    by_to: dict[int, dict[str, int]] = {}
    for item in record.items:
        by_to.setdefault(item["to"], {}).setdefault(item["kind"], 0)
        by_to[item["to"]][item["kind"]] += 1
    companies = Company.objects.visible_to(request.user).in_bulk(
        [item["id"] for item in record.items if item["kind"] == "company"])
    moved_companies = [(companies[item["id"]], users.get(item["to"])) for item in record.items
                       if item["kind"] == "company" and item["id"] in companies]
    return render(request, "sales/handover_detail.html", {
        "record": record, "per_colleague": [(users.get(pk_), counts) for pk_, counts in by_to.items()],
        "moved_companies": moved_companies,
    })


# --- help ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def help_index(request: HttpRequest, role: str = "") -> HttpResponse:
    """Role help pages in Chinese and English, explaining each screen a role uses."""
    role = role or _default_help_role(request.user)
    if role not in HELP_ROLES:
        raise Http404(_("help page"))
    lang = "zh" if (get_language() or "").startswith("zh") else "en"
    try:
        body = select_template([f"sales/help/{lang}/{role}.html", f"sales/help/en/{role}.html"])
    except TemplateDoesNotExist as exc:
        raise Http404(_("help page")) from exc
    return render(request, "sales/help.html", {"role": role, "roles": HELP_ROLES, "body_template": body.template.name,
                                               "labels": _help_labels()})


def _default_help_role(user: Any) -> str:
    mapping = {"front_desk": "front_desk", "service_agent": "service", "quality": "service", "sales_rep": "sales_rep",
               "sales_manager": "sales_manager", "marketing": "marketing", "manager": "manager", "admin": "manager"}
    return mapping.get(getattr(user, "role", ""), "front_desk")


def _help_labels() -> dict[str, str]:
    return {"front_desk": _("Front desk"), "service": _("Service"), "sales_rep": _("Sales rep"),
            "sales_manager": _("Sales manager"), "marketing": _("Marketing"), "manager": _("Manager")}
