"""REST API for loyalty (/api/v1/loyalty/…): members, a member's statement, redemption, the reward catalogue.

Members are reached through their guest's `visible_to(user)` scoping (`selectors.members_for`); a member of a
guest the user cannot see is a 404. Included from concierge/api/urls.py (url names in the "api" namespace).
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi
from concierge.api.fields import TextChoicesField
from concierge.loyalty import selectors, services
from concierge.loyalty.choices import RedemptionStatus, RewardKind, TransactionKind
from concierge.loyalty.models import Membership, Reward

# --- serializers ------------------------------------------------------------------------------------------------


class TierOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    order = serializers.IntegerField()
    min_points = serializers.IntegerField()
    min_nights = serializers.IntegerField()
    benefits = serializers.ListField(child=serializers.CharField(), source="benefit_lines",
                                     help_text=_("In the request's language."))


class MemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    guest = serializers.IntegerField(source="guest_id")
    tier = TierOutputSerializer()
    tier_since = serializers.DateField()
    grace_until = serializers.DateField(allow_null=True, help_text=_("Downgrade due on this date unless requalified."))
    balance = serializers.IntegerField(help_text=_("Sum of the member's point transactions."))
    joined_at = serializers.DateTimeField()


class ProgressOutputSerializer(serializers.Serializer):
    qualifying_points = serializers.IntegerField(source="points")
    qualifying_nights = serializers.IntegerField(source="nights")
    next_tier = serializers.CharField(source="next_tier.code", allow_null=True, default=None)
    points_needed = serializers.IntegerField()
    nights_needed = serializers.IntegerField()
    percent = serializers.IntegerField()


class TransactionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = TextChoicesField(TransactionKind)
    points = serializers.IntegerField()
    running_balance = serializers.IntegerField(help_text=_("The balance after this transaction."))
    qualifying_points = serializers.IntegerField()
    nights = serializers.IntegerField()
    occurred_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    stay = serializers.IntegerField(source="stay_id", allow_null=True)
    reward = serializers.IntegerField(source="reward_id", allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class StatementOutputSerializer(serializers.Serializer):
    member = MemberOutputSerializer()
    progress = ProgressOutputSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TransactionOutputSerializer(many=True)


class RewardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    kind = TextChoicesField(RewardKind)
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    points_cost = serializers.IntegerField()
    stock = serializers.IntegerField(allow_null=True, help_text=_("null = unlimited."))


class RedeemInputSerializer(serializers.Serializer):
    reward = serializers.IntegerField(help_text=_("Reward id from /api/v1/loyalty/rewards/."))
    quantity = serializers.IntegerField(min_value=1, max_value=20, default=1)


class RedemptionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = RewardOutputSerializer()
    quantity = serializers.IntegerField()
    points = serializers.IntegerField()
    status = TextChoicesField(RedemptionStatus)
    transaction = serializers.IntegerField(source="transaction_id")
    balance = serializers.IntegerField(help_text=_("The member's balance after the redemption."))
    created_at = serializers.DateTimeField()


# --- views ------------------------------------------------------------------------------------------------------


def _member_or_404(user: Any, pk: Any) -> Membership:
    try:
        return selectors.membership_for(user, int(pk))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


class MemberListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        qs = selectors.members_for(self.request.user).order_by("pk")
        guest = self.request.query_params.get("guest")
        if guest:
            if not guest.isdecimal():
                raise serializers.ValidationError({"guest": [_("Enter a guest id (a whole number).")]})
            qs = qs.filter(guest_id=int(guest))
        tier = self.request.query_params.get("tier")
        if tier:
            qs = qs.filter(tier__code=tier)
        return qs

    @extend_schema(tags=["loyalty"], summary="List members (guests you may see)",
                   parameters=[OpenApiParameter("guest", OpenApiTypes.INT), OpenApiParameter("tier", OpenApiTypes.STR)],
                   responses=MemberOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset(), MemberOutputSerializer)


class MemberStatementApi(ConciergeApi):
    @extend_schema(tags=["loyalty"], summary="A member's statement: balance, tier, progress, transactions",
                   parameters=[OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT)],
                   responses=StatementOutputSerializer)
    def get(self, request: Request, pk: int) -> ApiResponse:
        membership = _member_or_404(request.user, pk)
        page = self.paginate_queryset(selectors.statement(membership))
        response = self.get_paginated_response(TransactionOutputSerializer(page, many=True).data)
        progress = selectors.tier_progress(membership)
        response.data = {"member": MemberOutputSerializer(membership).data,
                         "progress": ProgressOutputSerializer(progress).data, **response.data}
        return response


class MemberRedeemApi(ConciergeApi):
    @extend_schema(tags=["loyalty"], summary="Redeem points for a reward",
                   request=RedeemInputSerializer, responses={201: RedemptionOutputSerializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        membership = _member_or_404(request.user, pk)
        serializer = RedeemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reward = Reward.objects.filter(pk=serializer.validated_data["reward"], programme_id=membership.programme_id,
                                       is_active=True).first()
        if reward is None:
            raise serializers.ValidationError({"reward": [_("No such reward in this programme.")]})
        redemption = services.points_redeem(actor=request.user, membership=membership, reward=reward,
                                            quantity=serializer.validated_data["quantity"])
        redemption.reward.refresh_from_db(fields=["stock"])
        redemption.balance = selectors.membership_balance(membership)  # type: ignore[attr-defined]
        return ApiResponse(RedemptionOutputSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RewardListApi(ConciergeApi):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Reward.objects.none()
        return selectors.rewards_for(selectors.default_programme()).order_by("points_cost", "code")

    @extend_schema(tags=["loyalty"], summary="The reward catalogue (active rewards)",
                   responses=RewardOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.get_queryset(), RewardOutputSerializer)


urlpatterns = [
    path("loyalty/members/", MemberListApi.as_view(), name="loyalty-member-list"),
    path("loyalty/members/<int:pk>/", MemberStatementApi.as_view(), name="loyalty-member-statement"),
    path("loyalty/members/<int:pk>/redeem/", MemberRedeemApi.as_view(), name="loyalty-member-redeem"),
    path("loyalty/rewards/", RewardListApi.as_view(), name="loyalty-reward-list"),
]
