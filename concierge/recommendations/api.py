"""REST API for recommendations: /api/v1/recommendations/rules/ and /api/v1/guests/<id>/offers/.

Included from concierge/api/urls.py, so the url names live in the "api" namespace.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi, guest_or_404
from concierge.guests.models import Guest
from concierge.recommendations import selectors
from concierge.recommendations.filters import ProductRuleFilterSet
from concierge.recommendations.models import ProductRule
from concierge.recommendations.permissions import can_view_rules


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class RuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="rule.pk")
    basket = serializers.CharField(source="rule.basket")
    antecedents = ProductRefSerializer(many=True)
    consequents = ProductRefSerializer(many=True)
    support = serializers.FloatField(source="rule.support", help_text=_("Share of baskets holding both sides."))
    confidence = serializers.FloatField(source="rule.confidence")
    lift = serializers.FloatField(source="rule.lift")
    leverage = serializers.FloatField(source="rule.leverage")
    conviction = serializers.FloatField(source="rule.conviction", allow_null=True,
                                        help_text=_("Null when confidence is 1 (infinite)."))
    antecedent_count = serializers.IntegerField(source="rule.antecedent_count")
    consequent_count = serializers.IntegerField(source="rule.consequent_count")
    both_count = serializers.IntegerField(source="rule.both_count")
    baskets = serializers.IntegerField(source="rule.baskets")
    mined_at = serializers.DateTimeField(source="rule.mined_at")


class OfferOutputSerializer(serializers.Serializer):
    product = ProductRefSerializer()
    because = ProductRefSerializer(many=True, help_text=_("Products the guest took that lead to this one."))
    confidence = serializers.FloatField()
    lift = serializers.FloatField()
    score = serializers.FloatField(help_text=_("confidence × lift, the ranking."))
    rule = serializers.IntegerField(source="rule_id")


class RuleListApi(ConciergeApi):
    filterset_class = ProductRuleFilterSet

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ProductRule.objects.none()
        if not can_view_rules(self.request.user):
            raise PermissionDenied(_("Your role cannot read product rules."))
        return ProductRule.objects.all()

    @extend_schema(tags=["recommendations"], summary="Product association rules (guests who took X also took Y)",
                   responses=RuleOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = RuleOutputSerializer(selectors.rule_views(page), many=True).data
        return self.get_paginated_response(data)


class GuestOffersApi(ConciergeApi):
    queryset = Guest.objects.none()  # the schema's path parameter type; rows come through guest_or_404
    pagination_class = None

    @extend_schema(tags=["recommendations"], summary="Next-best offers for a guest (top three)",
                   responses=OfferOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        guest = guest_or_404(request.user, pk)
        offers: list[Any] = selectors.guest_offers(guest=guest, user=request.user, limit=3)
        return Response(OfferOutputSerializer(offers, many=True).data)


urlpatterns = [
    path("recommendations/rules/", RuleListApi.as_view(), name="recommendation-rule-list"),
    path("guests/<int:pk>/offers/", GuestOffersApi.as_view(), name="guest-offers"),
]
