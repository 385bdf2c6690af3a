"""Company and contact endpoints."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concierge.api.fields import (
    PhoneField,
    StaffUserField,
    TextChoicesField,
    UserPropertyField,
    VisibleGuestField,
    VisibleRelatedField,
)
from concierge.api.serializers.common import (
    CompanyRefSerializer,
    GuestRefSerializer,
    PropertyRefSerializer,
    TagNamesField,
    UserRefSerializer,
)
from concierge.guests.choices import CompanyStatus, PaymentMethod, SourceChannel
from concierge.guests.models import Company, Industry

# --- companies -------------------------------------------------------------------------------------------------


class CompanyFieldsInputSerializer(serializers.Serializer):
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    account_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    industry = serializers.SlugRelatedField(slug_field="code", queryset=Industry.objects.all(), required=False,
                                            allow_null=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    province = serializers.CharField(max_length=100, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    channel = TextChoicesField(SourceChannel, required=False)
    phone = PhoneField(required=False, allow_blank=True)
    fax = PhoneField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    homepage = serializers.URLField(required=False, allow_blank=True)
    payment_method = TextChoicesField(PaymentMethod, required=False)
    contact_frequency_days = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)
    status = TextChoicesField(CompanyStatus, required=False)
    status_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    owner = StaffUserField(required=False, allow_null=True)
    parent = VisibleRelatedField(Company, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CompanyCreateInputSerializer(CompanyFieldsInputSerializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    properties = UserPropertyField(
        many=True, required=False,
        help_text=_("Properties the company is served by: yours. Defaults to your only property."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("name_zh", "").strip() or attrs.get("name_en", "").strip()):
            raise serializers.ValidationError(
                {"name_zh": [serializers.ErrorDetail(_("A company needs a Chinese or an English name."),
                                                     code="required")]}
            )
        return attrs


class CompanyUpdateInputSerializer(CompanyFieldsInputSerializer):
    version = serializers.IntegerField(
        required=True, min_value=1,
        help_text=_("Required: the version you loaded; if someone saved the company since, the update is refused "
                    "(409) and nothing is overwritten."),
    )


class CompanyListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    account_number = serializers.CharField()
    industry = serializers.CharField(source="industry.code", allow_null=True, default=None)
    city = serializers.CharField()
    province = serializers.CharField()
    channel = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.CharField()
    owner = UserRefSerializer(allow_null=True)
    tags = TagNamesField()
    score = serializers.SerializerMethodField(help_text=_("Search score (with ?search=), else null."))
    matched = serializers.SerializerMethodField(help_text=_("Why the search matched (with ?search=), else null."))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_score(self, company: Any) -> int | None:
        return getattr(company, "search_score", None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_matched(self, company: Any) -> str | None:
        return getattr(company, "search_matched", None)


class CompanyDetailOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    account_number = serializers.CharField()
    industry = serializers.CharField(source="industry.code", allow_null=True, default=None)
    country = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    channel = serializers.CharField()
    phone = serializers.CharField()
    fax = serializers.CharField()
    email = serializers.CharField()
    postcode = serializers.CharField()
    address = serializers.CharField()
    homepage = serializers.CharField()
    payment_method = serializers.CharField()
    contact_frequency_days = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_reason = serializers.CharField()
    owner = UserRefSerializer(allow_null=True)
    parent = CompanyRefSerializer(allow_null=True)
    properties = PropertyRefSerializer(many=True)
    tags = TagNamesField()
    notes = serializers.CharField()
    external_ref = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- contacts --------------------------------------------------------------------------------------------------


class ContactFieldsInputSerializer(serializers.Serializer):
    guest = VisibleGuestField(required=False, allow_null=True, help_text=_("The guest profile of this person, if any."))
    name_latin = serializers.CharField(max_length=120, required=False, allow_blank=True)
    position = serializers.CharField(max_length=120, required=False, allow_blank=True)
    department = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = PhoneField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    is_decision_maker = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class ContactCreateInputSerializer(ContactFieldsInputSerializer):
    company = VisibleRelatedField(Company)
    name = serializers.CharField(max_length=120)


class ContactUpdateInputSerializer(ContactFieldsInputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(
        required=True, min_value=1,
        help_text=_("Required: the version you loaded; if someone saved the contact since, the update is refused "
                    "(409) and nothing is overwritten."),
    )


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRefSerializer()
    guest = GuestRefSerializer(allow_null=True)
    name = serializers.CharField()
    name_latin = serializers.CharField()
    position = serializers.CharField()
    department = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    is_decision_maker = serializers.BooleanField()
    is_active = serializers.BooleanField()
    notes = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
