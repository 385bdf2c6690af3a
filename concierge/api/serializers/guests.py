"""Guest endpoints: list, create, detail, update, card, look-up, search."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concierge.api.fields import PhoneField, StaffUserField, TextChoicesField, UserPropertyField, VisibleRelatedField
from concierge.api.serializers.common import (
    CompanyRefSerializer,
    GuestRefSerializer,
    LastContactOutputSerializer,
    PropertyRefSerializer,
    TagNamesField,
    UserRefSerializer,
)
from concierge.guests.choices import ConsentChannel, DocumentType, Gender, GuestStatus, Language, SourceChannel
from concierge.guests.identity import validate_id_number
from concierge.guests.models import Company

NAME_FIELDS = ("family_name", "given_name", "family_name_latin", "given_name_latin")


# --- input -----------------------------------------------------------------------------------------------------


class IdDocumentInputSerializer(serializers.Serializer):
    doc_type = TextChoicesField(DocumentType)
    number = serializers.CharField(max_length=40, help_text=_("Stored encrypted; only ever returned masked."))
    issuing_country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    expires_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Checked here as well as in the service so the error names the document and keeps its code
        # (invalid_id_checksum, invalid_id_birthday, ...).
        try:
            attrs["number"] = validate_id_number(attrs["doc_type"], attrs["number"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {"number": [serializers.ErrorDetail(m, code=e.code or "invalid") for e in exc.error_list
                            for m in e.messages]}
            ) from exc
        return attrs


class GuestFieldsInputSerializer(serializers.Serializer):
    """The editable profile fields; every one optional (create adds the name rule, update the version)."""

    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name_latin = serializers.CharField(max_length=100, required=False, allow_blank=True)
    given_name_latin = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gender = TextChoicesField(Gender, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    nationality = serializers.CharField(max_length=2, required=False, allow_blank=True,
                                        help_text=_("ISO country code"))
    language = TextChoicesField(Language, required=False)
    phone = PhoneField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address_1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    province = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    company = VisibleRelatedField(Company, required=False, allow_null=True)
    status = TextChoicesField(GuestStatus, required=False)
    status_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    tier = serializers.CharField(max_length=30, required=False, allow_blank=True)
    owner = StaffUserField(required=False, allow_null=True)
    source_channel = TextChoicesField(SourceChannel, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)


class GuestCreateInputSerializer(GuestFieldsInputSerializer):
    full_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text=_("Split into family and given name when those are not given (张伟, Wei Zhang)."),
    )
    id_documents = IdDocumentInputSerializer(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    property = UserPropertyField(
        required=False, allow_null=True,
        help_text=_("The property that holds the profile: one of yours. Defaults to your only property."),
    )
    force = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Create even if likely existing profiles are found (the 409 `possible_duplicates` answer). "
                    "Recorded in the audit log."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("full_name", "").strip() or any(attrs.get(n, "").strip() for n in NAME_FIELDS)):
            raise serializers.ValidationError(
                {"family_name": [serializers.ErrorDetail(_("A guest needs a name (native or Latin)."),
                                                         code="required")]}
            )
        return attrs


class GuestUpdateInputSerializer(GuestFieldsInputSerializer):
    # The loyalty programme owns the tier; a PATCH echoing an older read must not revert a recalculation.
    tier = serializers.CharField(read_only=True, help_text=_("Set by the loyalty programme; ignored on update."))
    version = serializers.IntegerField(
        required=True, min_value=1,
        help_text=_("Required: the version you loaded; if someone saved the profile since, the update is refused "
                    "(409) and nothing is overwritten."),
    )


class GuestLookupInputSerializer(serializers.Serializer):
    phone = PhoneField(required=False, allow_blank=True, help_text=_("Any format; matched exactly."))
    id_number = serializers.CharField(required=False, max_length=40, help_text=_("Matched exactly, any case."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("phone", "id_number") if attrs.get(name, "").strip()]
        if len(given) != 1:
            raise serializers.ValidationError(
                serializers.ErrorDetail(_("Give either a phone or an ID number."), code="phone_or_id_number")
            )
        return attrs


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text=_("Name in any script, pinyin, initials, phone, email, "
                                                          "ID number or company name."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)


# --- output ----------------------------------------------------------------------------------------------------


class IdDocumentOutputSerializer(serializers.Serializer):
    """An ID document. The number is never returned, only its masked form."""

    id = serializers.IntegerField()
    doc_type = serializers.CharField()
    number_masked = serializers.CharField()
    issuing_country = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)
    is_verified = serializers.BooleanField()


class GuestListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    native_name = serializers.CharField()
    latin_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    tier = serializers.CharField()
    company = CompanyRefSerializer(allow_null=True)
    owner = UserRefSerializer(allow_null=True)
    tags = TagNamesField()
    last_stay_on = serializers.DateField(allow_null=True)
    score = serializers.SerializerMethodField(help_text=_("Search score (with ?search=), else null."))
    matched = serializers.SerializerMethodField(help_text=_("Why the search matched (with ?search=), else null."))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_score(self, guest: Any) -> int | None:
        return getattr(guest, "search_score", None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_matched(self, guest: Any) -> str | None:
        return getattr(guest, "search_matched", None)


class GuestDetailOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    family_name = serializers.CharField()
    given_name = serializers.CharField()
    family_name_latin = serializers.CharField()
    given_name_latin = serializers.CharField()
    gender = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    nationality = serializers.CharField()
    language = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address_1 = serializers.CharField()
    address_2 = serializers.CharField()
    city = serializers.CharField()
    province = serializers.CharField()
    postcode = serializers.CharField()
    country = serializers.CharField()
    company = CompanyRefSerializer(allow_null=True)
    tags = TagNamesField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    tier = serializers.CharField()
    owner = UserRefSerializer(allow_null=True)
    source_channel = serializers.CharField()
    notes = serializers.CharField()
    external_ref = serializers.CharField()
    properties = PropertyRefSerializer(many=True)
    documents = IdDocumentOutputSerializer(many=True)
    last_stay_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class GuestSummaryOutputSerializer(serializers.Serializer):
    """A few lines to tell guests apart (look-up results)."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()
    latin_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    tier = serializers.CharField()
    company = CompanyRefSerializer(allow_null=True)
    last_stay_on = serializers.DateField(allow_null=True)


class SearchHitOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("guest", "guest"), ("company", "company")])
    id = serializers.IntegerField()
    score = serializers.IntegerField()
    matched = serializers.CharField(help_text=_("Why it matched: phone, Chinese name, initials, ..."))
    name = serializers.CharField(source="obj.__str__")
    phone = serializers.CharField(source="obj.phone")
    status = serializers.CharField(source="obj.status")
    last_stay_on = serializers.DateField(source="obj.last_stay_on", allow_null=True, default=None)


# --- card ------------------------------------------------------------------------------------------------------


class CardAlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    severity = serializers.CharField()
    category = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = UserRefSerializer(allow_null=True)


class CardPreferenceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    value = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class CardStayOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    property = PropertyRefSerializer()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    room_number = serializers.CharField()
    room_type = serializers.CharField()
    status = serializers.CharField()


class CardTotalsOutputSerializer(serializers.Serializer):
    stays = serializers.IntegerField()
    room_nights = serializers.IntegerField()
    room_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    other_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    adr = serializers.DecimalField(max_digits=16, decimal_places=2)
    last_stay_on = serializers.DateField(allow_null=True)


class CardRankOutputSerializer(serializers.Serializer):
    property_code = serializers.CharField(source="property__code")
    property_name_zh = serializers.CharField(source="property__name_zh")
    property_name_en = serializers.CharField(source="property__name_en")
    revenue_rank = serializers.IntegerField(allow_null=True)
    total_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)


class CardOpenItemOutputSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class CardConsentsOutputSerializer(serializers.Serializer):
    """The decision in force per channel: true, false, or null when never asked."""

    email = serializers.BooleanField(allow_null=True)
    sms = serializers.BooleanField(allow_null=True)
    wechat = serializers.BooleanField(allow_null=True)

    def to_representation(self, instance: dict[str, bool | None]) -> dict[str, bool | None]:
        return {channel.value: instance.get(channel.value) for channel in ConsentChannel}


class GuestCardOutputSerializer(serializers.Serializer):
    """Everything front desk needs at check-in. Alerts come critical first."""

    guest = GuestRefSerializer()
    latin_name = serializers.CharField(source="guest.latin_name")
    phone = serializers.CharField(source="guest.phone")
    email = serializers.CharField(source="guest.email")
    language = serializers.CharField(source="guest.language")
    status = serializers.CharField(source="guest.status")
    tier = serializers.CharField(source="guest.tier")
    owner = UserRefSerializer(source="guest.owner", allow_null=True)
    company = CompanyRefSerializer(source="guest.company", allow_null=True)
    birthday = serializers.DateField(source="guest.birthday", allow_null=True)
    alerts = CardAlertOutputSerializer(many=True)
    preferences = CardPreferenceOutputSerializer(many=True)
    last_stay = CardStayOutputSerializer(allow_null=True)
    upcoming_stay = CardStayOutputSerializer(allow_null=True)
    totals = CardTotalsOutputSerializer()
    property_ranks = CardRankOutputSerializer(many=True)
    documents = IdDocumentOutputSerializer(many=True)
    consents = CardConsentsOutputSerializer()
    last_contact = LastContactOutputSerializer(allow_null=True)
    open_items = CardOpenItemOutputSerializer(many=True)


class MatchReasonOutputSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("phone, email, id_number, name, birthday, …"))
    level = serializers.CharField(help_text=_("How the field compared: same, similar, differs, pinyin, …"))
    outcome = serializers.ChoiceField(choices=[("agree", "agree"), ("partial", "partial"), ("disagree", "disagree")])


class DuplicateCandidateOutputSerializer(serializers.Serializer):
    """An existing profile that is likely the person being created."""

    id = serializers.IntegerField(source="guest.pk")
    display_name = serializers.CharField(source="guest.display_name")
    score = serializers.FloatField(help_text=_("Match probability, 0 to 1."))
    reasons = serializers.CharField(source="reasons_text",
                                    help_text=_("In words, strongest first: \"same phone; birthday differs\"."))
    reason_codes = MatchReasonOutputSerializer(source="reasons", many=True,
                                               help_text=_("The same reasons as field, level and outcome."))


class PossibleDuplicatesErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("possible_duplicates", "possible_duplicates")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class PossibleDuplicatesResponseSerializer(serializers.Serializer):
    """409 answer to a create: nothing was saved; send the same body with `"force": true` to create anyway."""

    type = serializers.ChoiceField(choices=[("client_error", "client_error")])
    errors = PossibleDuplicatesErrorSerializer(many=True)
    candidates = DuplicateCandidateOutputSerializer(many=True)
