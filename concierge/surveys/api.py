"""REST API for surveys (/api/v1/surveys/…): list surveys, send one to a guest, read responses and aggregates.

Included from concierge/api/urls.py, so the url names live in the "api" namespace (api:survey-list, ...).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from concierge.api.base import ConciergeApi, visible_or_404
from concierge.api.fields import TextChoicesField, UserPropertyField, VisibleGuestField, VisibleRelatedField
from concierge.api.serializers.common import GuestRefSerializer, PropertyRefSerializer
from concierge.guests.choices import Language
from concierge.stays.models import Stay
from concierge.surveys import selectors, services
from concierge.surveys.choices import InvitationStatus, QuestionKind, SurveyKind, SurveyStatus
from concierge.surveys.filters import ResponseFilterSet, SurveyFilterSet
from concierge.surveys.models import Answer, Survey
from concierge.surveys.models import Response as SurveyResponse
from concierge.surveys.permissions import can_manage_surveys

# --- serializers ------------------------------------------------------------------------------------------------


class ChoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label_zh = serializers.CharField()
    label_en = serializers.CharField()
    is_negative = serializers.BooleanField()


class QuestionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = TextChoicesField(QuestionKind)
    text_zh = serializers.CharField()
    text_en = serializers.CharField()
    department = serializers.CharField()
    required = serializers.BooleanField()
    depends_on = serializers.IntegerField(source="depends_on_id", allow_null=True)
    depends_operator = serializers.CharField()
    depends_value = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()
    choices = ChoiceOutputSerializer(many=True)


class SurveyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = TextChoicesField(SurveyKind)
    status = TextChoicesField(SurveyStatus)
    property = PropertyRefSerializer(allow_null=True)
    title_zh = serializers.CharField()
    title_en = serializers.CharField()
    link_valid_days = serializers.IntegerField()
    question_count = serializers.IntegerField()
    sent_count = serializers.IntegerField(help_text=_("Invitations sent, within your properties."))
    response_count = serializers.IntegerField(help_text=_("Responses, within your properties."))
    created_at = serializers.DateTimeField()


class SurveyDetailOutputSerializer(SurveyOutputSerializer):
    questions = QuestionOutputSerializer(many=True, source="active_questions")


class SendInputSerializer(serializers.Serializer):
    guest = VisibleGuestField()
    stay = VisibleRelatedField(Stay, required=False, allow_null=True, help_text=_("The stay the survey is about."))
    language = TextChoicesField(Language, required=False, help_text=_("Default: the guest's language."))
    cooldown_days = serializers.IntegerField(
        required=False, min_value=0, max_value=3650,
        help_text=_("Refuse when the guest was surveyed in this many days (default: no check)."))


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    survey = serializers.IntegerField(source="survey_id")
    guest = serializers.IntegerField(source="guest_id", allow_null=True)
    stay = serializers.IntegerField(source="stay_id", allow_null=True)
    language = serializers.CharField()
    status = TextChoicesField(InvitationStatus)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class AnswerOutputSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    kind = serializers.CharField(source="question.kind")
    score = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    choices = serializers.SerializerMethodField()

    def get_choices(self, answer: Answer) -> list[int]:
        return [c.pk for c in answer.choices.all()]


class ResponseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    survey = serializers.IntegerField(source="survey_id")
    guest = GuestRefSerializer(allow_null=True)
    property = PropertyRefSerializer(allow_null=True)
    stay = serializers.IntegerField(source="stay_id", allow_null=True)
    language = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    is_negative = serializers.BooleanField()
    action = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    answers = AnswerOutputSerializer(many=True)


class ResultsInputSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    property = UserPropertyField(required=False, allow_null=True)
    pivot = serializers.DateField(required=False, help_text=_("Compare departments before and after this date."))
    window_days = serializers.IntegerField(required=False, min_value=7, max_value=730, default=120)


class IntervalSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class NpsOutputSerializer(IntervalSerializer):
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    text_en = serializers.CharField()
    kind = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    csat = IntervalSerializer(allow_null=True)
    nps = NpsOutputSerializer(allow_null=True)
    histogram = serializers.DictField(child=serializers.IntegerField())


class DepartmentResultSerializer(serializers.Serializer):
    department = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    csat = IntervalSerializer()


class MonthResultSerializer(serializers.Serializer):
    month = serializers.CharField()
    nps = NpsOutputSerializer()
    csat = IntervalSerializer()


class PropertyResultSerializer(serializers.Serializer):
    property = serializers.CharField()
    invited = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = IntervalSerializer()
    nps = NpsOutputSerializer()
    csat = IntervalSerializer()


class BeforeAfterRowSerializer(serializers.Serializer):
    department = serializers.CharField()
    before = IntervalSerializer()
    after = IntervalSerializer()


class BeforeAfterSerializer(serializers.Serializer):
    pivot = serializers.DateField()
    window_days = serializers.IntegerField()
    rows = BeforeAfterRowSerializer(many=True)


class ResultsOutputSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    invited = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = IntervalSerializer()
    nps = NpsOutputSerializer()
    csat = IntervalSerializer()
    questions = QuestionResultSerializer(many=True)
    departments = DepartmentResultSerializer(many=True)
    months = MonthResultSerializer(many=True)
    properties = PropertyResultSerializer(many=True)
    before_after = BeforeAfterSerializer(allow_null=True)


def _proportion(p: Any) -> dict[str, Any]:
    return {"value": p.rate, "low": p.low, "high": p.high, "n": p.n}


def _nps(n: Any) -> dict[str, Any]:
    return {"value": n.score, "low": n.low, "high": n.high, "n": n.n, "promoters": n.promoters,
            "passives": n.passives, "detractors": n.detractors}


def results_payload(results: selectors.SurveyResults) -> dict[str, Any]:
    """The results page's figures as plain data (the API's aggregates)."""
    ba = results.before_after
    return {
        "survey": results.survey.pk, "date_from": results.date_from, "date_to": results.date_to,
        "invited": results.invited, "responses": results.responses,
        "response_rate": _proportion(results.response_rate), "nps": _nps(results.nps),
        "csat": _proportion(results.csat),
        "questions": [{
            "question": q.question.pk, "text_en": q.question.text_en, "kind": q.question.kind, "n": q.n,
            "mean": q.mean, "csat": _proportion(q.csat) if q.csat else None, "nps": _nps(q.nps) if q.nps else None,
            "histogram": {str(s): c for s, c in q.histogram} or {str(c.pk): n for c, n in q.choices},
        } for q in results.questions],
        "departments": [{"department": d.department, "n": d.n, "mean": d.mean, "csat": _proportion(d.csat)}
                        for d in results.departments],
        "months": [{"month": m.month.strftime("%Y-%m"), "nps": _nps(m.nps), "csat": _proportion(m.csat)}
                   for m in results.months],
        "properties": [{"property": p.property.code, "invited": p.invited, "responses": p.responses,
                        "response_rate": _proportion(p.response_rate), "nps": _nps(p.nps),
                        "csat": _proportion(p.csat)} for p in results.properties],
        "before_after": None if ba is None else {
            "pivot": ba.pivot, "window_days": ba.window_days,
            "rows": [{"department": r.department, "before": _proportion(r.before), "after": _proportion(r.after)}
                     for r in ba.rows],
        },
    }


# --- views --------------------------------------------------------------------------------------------------------


def _surveys(user: Any) -> QuerySet:
    return selectors.surveys_for(user)


def _with_questions(survey: Survey) -> Survey:
    survey.active_questions = list(  # type: ignore[attr-defined]
        survey.questions.filter(is_active=True).prefetch_related("choices").order_by("position", "id"))
    return survey


class SurveyListApi(ConciergeApi):
    filterset_class = SurveyFilterSet

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Survey.objects.none()
        return _surveys(self.request.user)

    @extend_schema(tags=["surveys"], summary="List surveys", responses=SurveyOutputSerializer(many=True))
    def get(self, request: Request) -> ApiResponse:
        return self.paginated(self.filter_queryset(self.get_queryset()), SurveyOutputSerializer)


class SurveyDetailApi(ConciergeApi):
    @extend_schema(tags=["surveys"], summary="A survey with its questions", responses=SurveyDetailOutputSerializer)
    def get(self, request: Request, pk: int) -> ApiResponse:
        survey = visible_or_404(_surveys(request.user), request.user, pk)
        return ApiResponse(SurveyDetailOutputSerializer(_with_questions(survey)).data)


class SurveySendApi(ConciergeApi):
    @extend_schema(tags=["surveys"], summary="Send the survey to a guest (email, single-use link)",
                   request=SendInputSerializer, responses={201: InvitationOutputSerializer})
    def post(self, request: Request, pk: int) -> ApiResponse:
        survey = visible_or_404(Survey.objects.all(), request.user, pk)
        if not can_manage_surveys(request.user):
            raise PermissionDenied(_("Your role cannot send surveys."))
        serializer = SendInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation = services.invitation_create(
            actor=request.user, survey=survey, guest=data["guest"], stay=data.get("stay"),
            language=data.get("language"), cooldown_days=data.get("cooldown_days"))
        return ApiResponse(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class SurveyResponsesApi(ConciergeApi):
    filterset_class = ResponseFilterSet

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no survey
            return SurveyResponse.objects.none()
        survey = visible_or_404(Survey.objects.all(), self.request.user, self.kwargs["pk"])
        return selectors.responses_for(user=self.request.user, survey=survey).prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question").prefetch_related("choices")
                     .order_by("question__position")))

    @extend_schema(tags=["surveys"], summary="Responses of a survey (guests you may see)",
                   responses=ResponseOutputSerializer(many=True))
    def get(self, request: Request, pk: int) -> ApiResponse:
        return self.paginated(self.filter_queryset(self.get_queryset()), ResponseOutputSerializer)


class SurveyResultsApi(ConciergeApi):
    @extend_schema(
        tags=["surveys"], summary="Aggregates: response rate, CSAT, NPS with 95% intervals, trends",
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="Default: 12 months ago."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Default: today."),
            OpenApiParameter("property", OpenApiTypes.INT),
            OpenApiParameter("pivot", OpenApiTypes.DATE, description="Compare before/after this date."),
            OpenApiParameter("window_days", OpenApiTypes.INT),
        ],
        responses=ResultsOutputSerializer,
    )
    def get(self, request: Request, pk: int) -> ApiResponse:
        survey = visible_or_404(Survey.objects.all(), request.user, pk)
        serializer = ResultsInputSerializer(data=request.query_params, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or (date_to.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        if date_from > date_to:
            raise serializers.ValidationError({"date_from": [_("The start is after the end.")]})
        results = selectors.survey_results(
            survey=survey, user=request.user, date_from=date_from, date_to=date_to, property=data.get("property"),
            pivot=data.get("pivot"), window_days=data.get("window_days") or 120)
        return ApiResponse(ResultsOutputSerializer(results_payload(results)).data)


urlpatterns = [
    path("surveys/", SurveyListApi.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", SurveyDetailApi.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/send/", SurveySendApi.as_view(), name="survey-send"),
    path("surveys/<int:pk>/responses/", SurveyResponsesApi.as_view(), name="survey-responses"),
    path("surveys/<int:pk>/results/", SurveyResultsApi.as_view(), name="survey-results"),
]
