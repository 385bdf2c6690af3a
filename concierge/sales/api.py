"""REST API of account management (/api/v1/accounts/…, /api/v1/handovers/): account plan, ownership history and
owner change, my accounts by value, handover. The same rules as the pages (sales.permissions): companies are reached
through `visible_to(user)` (else 404); changes need the account's team or a sales manager (else 403); handovers are
for sales managers, managers and administrators. Included from concierge/api/urls.py ("api" namespace)."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.fields import StaffUserField
from concierge.api.serializers.common import UserRefSerializer
from concierge.guests.models import Company
from concierge.sales import selectors, services
from concierge.sales.models import AccountOwnership, AccountPlan, Handover
from concierge.sales.permissions import can_change_owner, can_handover, can_work_account


class DecisionMakerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()


class PlanOutputSerializer(serializers.Serializer):
    company = serializers.IntegerField(source="company_id")
    potential_room_nights = serializers.IntegerField(allow_null=True)
    competitor_hotels = serializers.ListField(child=serializers.CharField(), source="competitor_list")
    goals = serializers.CharField()
    notes = serializers.CharField()
    decision_makers = DecisionMakerOutputSerializer(many=True, help_text=_("Contacts flagged as decision makers."))
    team = serializers.ListField(child=serializers.DictField())
    updated_at = serializers.DateTimeField(allow_null=True)


class PlanInputSerializer(serializers.Serializer):
    potential_room_nights = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    competitor_hotels = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                              default=list)
    goals = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class OwnershipOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = UserRefSerializer()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True, help_text=_("null: current owner."))
    reason = serializers.CharField()
    changed_by = UserRefSerializer(allow_null=True)


class OwnerChangeInputSerializer(serializers.Serializer):
    new_owner = StaffUserField(allow_null=True)
    on = serializers.DateField(required=False, help_text=_("Effective date (default today)."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    status = serializers.CharField()
    revenue_12m = serializers.DecimalField(max_digits=16, decimal_places=2)
    nights_12m = serializers.IntegerField()
    last_contact_at = serializers.DateTimeField(allow_null=True)
    open_tasks = serializers.IntegerField()


class HandoverInputSerializer(serializers.Serializer):
    from_user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    default_to = StaffUserField(required=False, allow_null=True)
    assignments = serializers.DictField(child=serializers.IntegerField(), required=False, default=dict,
                                        help_text=_("Company id → colleague id, for accounts split per account."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    deactivate = serializers.BooleanField(default=False)


class HandoverOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_user = UserRefSerializer()
    default_to = UserRefSerializer(allow_null=True)
    effective_on = serializers.DateField()
    reason = serializers.CharField()
    deactivated_user = serializers.BooleanField()
    summary = serializers.DictField(child=serializers.IntegerField(), help_text=_("Moved records per kind."))
    items = serializers.ListField(child=serializers.DictField(), help_text=_("{kind, id, to} per moved record."))
    created_at = serializers.DateTimeField()


def _plan_data(company: Company) -> dict[str, Any]:
    plan = selectors.account_plan(company) or AccountPlan(company=company, updated_at=None)
    plan.decision_makers = list(selectors.decision_makers(company))
    plan.team = [{"user": m.user_id, "name": str(m.user), "role": m.role} for m in selectors.account_team(company)]
    return PlanOutputSerializer(plan).data


def _company(user: Any, pk: int) -> Company:
    return visible_or_404(Company.objects.select_related("owner"), user, pk)


class AccountPlanApi(ConciergeApi):
    queryset = Company.objects.none()  # for the schema (path parameter types); objects come from visible_to

    @extend_schema(tags=["accounts"], summary="A company's account plan", responses=PlanOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_plan_data(_company(request.user, pk)))

    @extend_schema(tags=["accounts"], summary="Save the account plan (account team, sales managers)",
                   request=PlanInputSerializer, responses=PlanOutputSerializer)
    def put(self, request: Request, pk: int) -> Response:
        company = _company(request.user, pk)
        if not can_work_account(request.user, company):
            raise PermissionDenied(_("Only the account's team and sales managers may change this account."))
        serializer = PlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["competitor_hotels"] = "\n".join(h.strip() for h in data["competitor_hotels"] if h.strip())
        services.account_plan_save(company=company, actor=request.user, **data)
        return Response(_plan_data(company))


class OwnershipApi(ConciergeApi):
    pagination_class = None
    queryset = AccountOwnership.objects.none()

    @extend_schema(tags=["accounts"], summary="Ownership history of a company (newest first)",
                   responses=OwnershipOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        company = _company(request.user, pk)
        return Response(OwnershipOutputSerializer(selectors.ownership_history(company), many=True).data)

    @extend_schema(tags=["accounts"], summary="Change the account manager (closes and opens ownership periods)",
                   request=OwnerChangeInputSerializer, responses={201: OwnershipOutputSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        company = _company(request.user, pk)
        if not can_change_owner(request.user, company):
            raise PermissionDenied(_("Only sales managers and the account manager may reassign this account."))
        serializer = OwnerChangeInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.company_owner_change(company=company, new_owner=data["new_owner"], actor=request.user,
                                      reason=data["reason"], on=data.get("on"))
        return Response(OwnershipOutputSerializer(selectors.ownership_history(company), many=True).data,
                        status=status.HTTP_201_CREATED)


class MyAccountsApi(ConciergeApi):
    queryset = Company.objects.none()

    @extend_schema(tags=["accounts"], summary="My accounts by value (revenue of the last 12 months)",
                   responses=AccountOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        companies = Company.objects.visible_to(request.user).filter(owner=request.user)
        return self.paginated(selectors.accounts_by_value(request.user, companies), AccountOutputSerializer)


@extend_validation_errors(["invalid"], field_name="assignments", methods=["post"])  # not this rep's account
class HandoverApi(ConciergeApi):
    queryset = Handover.objects.none()

    @extend_schema(tags=["accounts"], summary="Hand a rep's accounts and open items over to colleagues",
                   request=HandoverInputSerializer, responses={201: HandoverOutputSerializer})
    def post(self, request: Request) -> Response:
        if not can_handover(request.user):
            raise PermissionDenied(_("Only sales managers, managers and administrators hand accounts over."))
        serializer = HandoverInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        from_user = data["from_user"]
        companies = list(Company.objects.visible_to(request.user).filter(owner=from_user))
        hidden = Company.objects.filter(owner=from_user).exclude(pk__in=[c.pk for c in companies]).exists()
        if hidden and data["deactivate"]:
            raise serializers.ValidationError({"deactivate": [_(
                "This user also owns accounts outside your properties; hand those over first.")]})
        users = get_user_model().objects.filter(is_active=True).in_bulk(set(data["assignments"].values()))
        assignments = {}
        known = {c.pk for c in companies}
        for company_id, user_id in data["assignments"].items():
            if not str(company_id).isdecimal() or int(company_id) not in known:
                raise serializers.ValidationError({"assignments": [_("Company %(id)s is not one of this rep's "
                                                                     "accounts.") % {"id": company_id}]})
            if user_id not in users:
                raise serializers.ValidationError({"assignments": [_("User %(id)s is not an active colleague.")
                                                                   % {"id": user_id}]})
            assignments[int(company_id)] = users[user_id]
        record = services.handover_run(from_user=from_user, actor=request.user, companies=companies,
                                       default_to=data.get("default_to"), assignments=assignments,
                                       reason=data["reason"], deactivate=data["deactivate"])
        return Response(HandoverOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class HandoverDetailApi(ConciergeApi):
    queryset = Handover.objects.none()

    @extend_schema(tags=["accounts"], summary="A handover and what it moved", responses=HandoverOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        if not can_handover(request.user):
            raise PermissionDenied
        record = selectors.handovers_visible(request.user).filter(pk=pk).first()
        if record is None:
            from rest_framework.exceptions import NotFound

            raise NotFound()
        return Response(HandoverOutputSerializer(record).data)


urlpatterns = [
    path("accounts/mine/", MyAccountsApi.as_view(), name="account-mine"),
    path("accounts/<int:pk>/plan/", AccountPlanApi.as_view(), name="account-plan"),
    path("accounts/<int:pk>/ownership/", OwnershipApi.as_view(), name="account-ownership"),
    path("handovers/", HandoverApi.as_view(), name="handover-list"),
    path("handovers/<int:pk>/", HandoverDetailApi.as_view(), name="handover-detail"),
]
