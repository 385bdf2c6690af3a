"""Serializers of the service-centre API: one input and one output serializer per endpoint."""
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
    UserRefSerializer,
)
from concierge.api.serializers.guests import (
    CardStayOutputSerializer,
    GuestCardOutputSerializer,
    GuestSummaryOutputSerializer,
)
from concierge.cases.choices import (
    CaseChannel,
    CaseStatus,
    CaseType,
    CompensationType,
    Department,
    GuestToldVia,
    LostItemCategory,
    Priority,
    ResponseChannel,
    Severity,
)
from concierge.cases.models import RootCause
from concierge.guests.choices import Language
from concierge.guests.models import Company
from concierge.stays.models import Stay

# --- shared output pieces ---------------------------------------------------------------------------------------


class RootCauseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="__str__")


class CaseEventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = UserRefSerializer(allow_null=True)
    note = serializers.CharField(source="display_note")
    at = serializers.DateTimeField()


class CaseLoopOutputSerializer(serializers.Serializer):
    """The closed complaint loop: each step is "", pending, done, skipped (not applicable) or failed."""

    guest_told_via = serializers.CharField()
    guest = serializers.CharField(source="loop_guest")
    account_manager = serializers.CharField(source="loop_manager")
    next_stay_alert = serializers.CharField(source="loop_alert")
    followup_survey = serializers.CharField(source="loop_followup")
    closed = serializers.BooleanField(source="loop_closed")


class CaseListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    property = PropertyRefSerializer()
    case_type = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    severity = serializers.CharField()
    department = serializers.CharField()
    channel = serializers.CharField()
    subject = serializers.CharField()
    guest = GuestRefSerializer(allow_null=True)
    company = CompanyRefSerializer(allow_null=True)
    owner = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    response_breached = serializers.BooleanField()
    resolution_breached = serializers.BooleanField()


class CaseDetailOutputSerializer(CaseListOutputSerializer):
    description = serializers.CharField()
    stay = CardStayOutputSerializer(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    first_response_minutes = serializers.IntegerField(allow_null=True, help_text=_("Business minutes."))
    resolution_minutes = serializers.IntegerField(allow_null=True, help_text=_("Business minutes, pauses excluded."))
    reopen_count = serializers.IntegerField()
    escalated_to = UserRefSerializer(allow_null=True)
    resolution = serializers.CharField()
    root_cause = RootCauseRefSerializer(allow_null=True)
    compensation_type = serializers.CharField()
    compensation_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    compensation_currency = serializers.CharField()
    loop = CaseLoopOutputSerializer(source="*")
    kb_article_id = serializers.IntegerField(allow_null=True)
    events = serializers.SerializerMethodField()

    @extend_schema_field(CaseEventOutputSerializer(many=True))
    def get_events(self, case: Any) -> list[dict[str, Any]]:
        events = case.events.select_related("actor").order_by("-at", "-id")[:50]
        return CaseEventOutputSerializer(events, many=True).data


# --- case input ---------------------------------------------------------------------------------------------


class CaseFieldsInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    case_type = TextChoicesField(CaseType, required=False)
    priority = TextChoicesField(Priority, required=False)
    severity = TextChoicesField(Severity, required=False)
    department = TextChoicesField(Department, required=False)
    channel = TextChoicesField(CaseChannel, required=False)
    guest = VisibleGuestField(required=False, allow_null=True)
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    stay = VisibleRelatedField(Stay, required=False, allow_null=True)


class CaseCreateInputSerializer(CaseFieldsInputSerializer):
    subject = serializers.CharField(max_length=200)
    property = UserPropertyField(required=False, allow_null=True,
                                 help_text=_("One of your properties. Defaults to your only property."))
    owner = StaffUserField(required=False, allow_null=True)


class CaseUpdateInputSerializer(CaseFieldsInputSerializer):
    pass


class CaseAssignInputSerializer(serializers.Serializer):
    owner = StaffUserField()


class CaseTransitionInputSerializer(serializers.Serializer):
    status = TextChoicesField(CaseStatus)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseRespondInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    channel = TextChoicesField(ResponseChannel, required=False, default=ResponseChannel.PHONE)


class CaseResolveInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)
    root_cause = serializers.PrimaryKeyRelatedField(queryset=RootCause.objects.filter(is_active=True),
                                                    required=False, allow_null=True)
    compensation_type = TextChoicesField(CompensationType, required=False, allow_blank=True, default="")
    compensation_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                                   allow_null=True)
    guest_told_via = TextChoicesField(GuestToldVia, required=False,
                                      help_text=_("Default: email when the guest has an address."))
    guest_message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    alert_text = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                       help_text=_("Alert for the next stay; empty for the suggested text."))


class CaseReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- screen pop ---------------------------------------------------------------------------------------------


class ScreenPopInputSerializer(serializers.Serializer):
    phone = PhoneField(help_text=_("The caller's number in any format: 138 0013 8000, +86-138…, 0086 …"))
    guest = serializers.IntegerField(required=False, help_text=_("Pick one of several guests sharing the number."))


class ContactRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()


class CompanyCardOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.CharField()
    owner = UserRefSerializer(allow_null=True)


class ArticleHitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.id")
    language = serializers.CharField(source="translation.language")
    title = serializers.CharField(source="translation.title")
    excerpt = serializers.SerializerMethodField()
    category = serializers.CharField(source="article.category.code")
    status = serializers.CharField(source="article.status")
    is_public = serializers.BooleanField(source="article.is_public")
    helpful_yes = serializers.IntegerField(source="article.helpful_yes")
    helpful_no = serializers.IntegerField(source="article.helpful_no")
    score = serializers.IntegerField()

    def get_excerpt(self, hit: Any) -> str:
        body = " ".join(hit.translation.body.split())
        return body[:200] + ("…" if len(body) > 200 else "")


class ScreenPopOutputSerializer(serializers.Serializer):
    phone = serializers.CharField(help_text=_("The number in E.164."))
    found = serializers.BooleanField()
    guest = GuestCardOutputSerializer(source="card", allow_null=True)
    other_guests = serializers.SerializerMethodField(help_text=_("Other guests with the same number."))
    company = CompanyCardOutputSerializer(allow_null=True)
    contact = ContactRefSerializer(allow_null=True)
    open_cases = CaseListOutputSerializer(many=True)
    last_stay = CardStayOutputSerializer(allow_null=True)
    upcoming_stay = CardStayOutputSerializer(allow_null=True)
    articles = ArticleHitOutputSerializer(many=True)

    @extend_schema_field(GuestSummaryOutputSerializer(many=True))
    def get_other_guests(self, pop: Any) -> list[dict[str, Any]]:
        others = [g for g in pop.guests if pop.guest is None or g.pk != pop.guest.pk]
        return GuestSummaryOutputSerializer(others, many=True).data


# --- knowledge base -----------------------------------------------------------------------------------------


class KbSearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text=_("Chinese or English: 空调噪音, parking, breakfast time…"))
    language = TextChoicesField(Language, required=False, help_text=_("Preferred version when both match."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)


class ArticleTranslationOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ArticleDetailOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField(source="category.code")
    property = PropertyRefSerializer(allow_null=True)
    status = serializers.CharField()
    is_public = serializers.BooleanField()
    department = serializers.CharField()
    root_cause = RootCauseRefSerializer(allow_null=True)
    tags = serializers.SerializerMethodField()
    translations = ArticleTranslationOutputSerializer(many=True)
    helpful_yes = serializers.IntegerField()
    helpful_no = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, article: Any) -> list[str]:
        return [t.name for t in article.tags.all()]


# --- lost & found -------------------------------------------------------------------------------------------


class LostItemCreateInputSerializer(serializers.Serializer):
    property = UserPropertyField(required=False, allow_null=True)
    found_on = serializers.DateField()
    room_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    found_place = serializers.CharField(max_length=120, required=False, allow_blank=True)
    category = TextChoicesField(LostItemCategory, required=False, default=LostItemCategory.OTHER)
    description = serializers.CharField(max_length=300)
    storage_location = serializers.CharField(max_length=120)


class LostItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    property = PropertyRefSerializer()
    found_on = serializers.DateField()
    room_number = serializers.CharField()
    found_place = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    storage_location = serializers.CharField()
    status = serializers.CharField()
    guest = GuestRefSerializer(allow_null=True)
    stay_id = serializers.IntegerField(allow_null=True)
    notified_at = serializers.DateTimeField(allow_null=True)
    returned_on = serializers.DateField(allow_null=True)
    disposed_on = serializers.DateField(allow_null=True)


# --- numbers ------------------------------------------------------------------------------------------------


class MetricsInputSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=[("month", "month"), ("property", "property"),
                                                ("department", "department"), ("case_type", "case_type")],
                                       required=False, default="month")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    case_type = TextChoicesField(CaseType, required=False)


class MetricRowOutputSerializer(serializers.Serializer):
    key = serializers.SerializerMethodField()
    label = serializers.CharField()
    cases = serializers.IntegerField()
    resolved = serializers.IntegerField()
    avg_first_response_minutes = serializers.FloatField(allow_null=True)
    avg_resolution_minutes = serializers.FloatField(allow_null=True)
    breached = serializers.IntegerField()
    breach_rate = serializers.FloatField()
    reopened = serializers.IntegerField()
    reopen_rate = serializers.FloatField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_key(self, row: Any) -> str | None:
        key = row.key
        if key is None:
            return None
        return key.date().isoformat() if hasattr(key, "date") else str(key)


class LoopReportOutputSerializer(serializers.Serializer):
    complaints = serializers.IntegerField()
    guest_told = serializers.IntegerField()
    manager_ok = serializers.IntegerField()
    alert_ok = serializers.IntegerField()
    followup_ok = serializers.IntegerField()
    loop_closed = serializers.IntegerField()
    closed_rate = serializers.FloatField()
    promoted = serializers.IntegerField()


class MetricsOutputSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    rows = MetricRowOutputSerializer(many=True)
    loop = LoopReportOutputSerializer()
