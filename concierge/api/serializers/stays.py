"""Stay endpoints."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from concierge.api.fields import TextChoicesField, UserPropertyField, VisibleGuestField, VisibleRelatedField
from concierge.api.serializers.common import CompanyRefSerializer, GuestRefSerializer, PropertyRefSerializer
from concierge.guests.choices import SourceChannel
from concierge.guests.models import Company
from concierge.stays.choices import MarketSegment, StayStatus

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class StayFieldsInputSerializer(serializers.Serializer):
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    room_nights = serializers.IntegerField(
        min_value=0, required=False, help_text=_("Omit (or 0) to count the nights between arrival and departure.")
    )
    room_type = serializers.CharField(max_length=40, required=False, allow_blank=True)
    room_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    rate_code = serializers.CharField(max_length=30, required=False, allow_blank=True)
    adr = serializers.DecimalField(**MONEY, required=False)
    room_revenue = serializers.DecimalField(**MONEY, required=False)
    fnb_revenue = serializers.DecimalField(**MONEY, required=False)
    other_revenue = serializers.DecimalField(**MONEY, required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    channel = TextChoicesField(SourceChannel, required=False)
    market_segment = TextChoicesField(MarketSegment, required=False)
    status = TextChoicesField(StayStatus, required=False)
    adults = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    children = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)


class StayCreateInputSerializer(StayFieldsInputSerializer):
    guest = VisibleGuestField(allow_null=True, default=None)
    property = UserPropertyField(help_text=_("One of your properties."))
    arrival = serializers.DateField()
    departure = serializers.DateField()


class StayUpdateInputSerializer(StayFieldsInputSerializer):
    arrival = serializers.DateField(required=False)
    departure = serializers.DateField(required=False)


class StayOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guest = GuestRefSerializer(allow_null=True)
    company = CompanyRefSerializer(allow_null=True)
    property = PropertyRefSerializer()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    room_nights = serializers.IntegerField()
    room_type = serializers.CharField()
    room_number = serializers.CharField()
    rate_code = serializers.CharField()
    adr = serializers.DecimalField(max_digits=12, decimal_places=2)
    room_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    fnb_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    other_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
    channel = serializers.CharField()
    market_segment = serializers.CharField()
    status = serializers.CharField()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    external_ref = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
