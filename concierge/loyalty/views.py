"""Loyalty pages: members list, member statement (with redemption and adjustment), programme settings.

Every member page fetches its membership through `_membership_for`, which goes through the guest's
`visible_to(user)` scoping, so a user never reaches a member of a guest they cannot see.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.loyalty import selectors, services
from concierge.loyalty.forms import (
    AdjustForm,
    BonusRuleFormSet,
    MemberFilterForm,
    ProgrammeForm,
    RedeemForm,
    RewardFormSet,
    TierFormSet,
)
from concierge.loyalty.models import BonusRule, Membership, Reward, Tier
from concierge.loyalty.permissions import can_adjust_points, can_manage_programme
from concierge.web.helpers import apply_service_errors, paginate, render_page_or_partial

PAGE_SIZE = 25


def _membership_for(request: HttpRequest, pk: int) -> Membership:
    """The one place member pages fetch a membership: its guest must be visible to the user, else 404."""
    try:
        return selectors.membership_for(request.user, pk)
    except Membership.DoesNotExist as exc:
        raise Http404(_("membership")) from exc


@login_required
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    programme = selectors.default_programme()
    form = MemberFilterForm(request.GET or None, programme=programme)
    rows = selectors.members_for(request.user)
    if form.is_valid():
        if form.cleaned_data["tier"]:
            rows = rows.filter(tier=form.cleaned_data["tier"])
        q = form.cleaned_data["q"].strip()
        if q:
            rows = rows.filter(Q(number__iexact=q) | Q(guest__family_name__startswith=q)
                               | Q(guest__family_name_latin__istartswith=q) | Q(guest__given_name_latin__istartswith=q))
    page = paginate(request, rows.order_by("-tier__order", "number"), per_page=PAGE_SIZE)
    context = {"form": form, "page": page, "programme": programme,
               "can_manage": can_manage_programme(request.user)}
    return render_page_or_partial(request, "loyalty/member_list.html", "loyalty/partials/member_table.html", context)


def _detail_context(request: HttpRequest, membership: Membership, *, redeem_form: RedeemForm | None = None,
                    adjust_form: AdjustForm | None = None) -> dict[str, Any]:
    return {
        "membership": membership,
        "guest": membership.guest,
        "balance": membership.balance,
        "progress": selectors.tier_progress(membership),
        "page": paginate(request, selectors.statement(membership), per_page=PAGE_SIZE),
        "redeem_form": redeem_form or RedeemForm(programme=membership.programme),
        "adjust_form": adjust_form or AdjustForm(),
        "can_adjust": can_adjust_points(request.user),
        "rewards": selectors.rewards_for(membership.programme),
    }


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for(request, pk)
    context = _detail_context(request, membership)
    return render_page_or_partial(request, "loyalty/member_detail.html", "loyalty/partials/statement_table.html",
                                  context)


@login_required
@require_POST
def member_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_for(request, pk)
    form = RedeemForm(request.POST, programme=membership.programme)
    if form.is_valid():
        try:
            services.points_redeem(actor=request.user, membership=membership, reward=form.cleaned_data["reward"],
                                   quantity=form.cleaned_data["quantity"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Redeemed %(reward)s.") % {"reward": form.cleaned_data["reward"].name})
            return redirect("loyalty:member_detail", pk=membership.pk)
    return render(request, "loyalty/member_detail.html", _detail_context(request, membership, redeem_form=form),
                  status=400)


@login_required
@require_POST
def member_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_adjust_points(request.user):
        raise PermissionDenied
    membership = _membership_for(request, pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.points_adjust(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Points adjusted."))
            return redirect("loyalty:member_detail", pk=membership.pk)
    return render(request, "loyalty/member_detail.html", _detail_context(request, membership, adjust_form=form),
                  status=400)


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings(request: HttpRequest) -> HttpResponse:
    if not can_manage_programme(request.user):
        raise PermissionDenied
    programme = selectors.default_programme()
    if programme is None:
        return render(request, "loyalty/programme_settings.html", {"programme": None})
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, instance=programme, prefix="programme")
    tiers = TierFormSet(data, queryset=Tier.objects.filter(programme=programme).order_by("order"), prefix="tiers")
    bonuses = BonusRuleFormSet(data, queryset=BonusRule.objects.filter(programme=programme), prefix="bonus")
    rewards = RewardFormSet(data, queryset=Reward.objects.filter(programme=programme), prefix="rewards")
    if request.method == "POST":
        if form.is_valid() and tiers.is_valid() and bonuses.is_valid() and rewards.is_valid():
            with transaction.atomic():
                form.save()
                for formset in (tiers, bonuses, rewards):
                    for obj in formset.save(commit=False):
                        obj.programme = programme
                        obj.save()
            messages.success(request, _("Programme saved."))
            return redirect("loyalty:programme_settings")
        messages.error(request, _("Please correct the errors below."))
    context = {"programme": programme, "form": form, "tiers": tiers, "bonuses": bonuses, "rewards": rewards}
    return render(request, "loyalty/programme_settings.html", context, status=400 if request.method == "POST" else 200)
