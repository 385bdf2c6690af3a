"""Builders for survey tests: a bilingual post-stay survey with every question type, consent, invitations."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from concierge.guests.models import ConsentRecord, Guest
from concierge.guests.services import guest_create
from concierge.stays.models import Stay
from concierge.stays.services import stay_create
from concierge.surveys import services
from concierge.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from concierge.surveys.models import Invitation, Question, Survey
from concierge.surveys.tokens import link_token


def make_survey(actor: Any, *, property: Any = None, kind: str = SurveyKind.POST_STAY,  # noqa: A002
                status: str = SurveyStatus.ACTIVE, **extra: Any) -> tuple[Survey, dict[str, Question]]:
    """A survey with: NPS, overall (Likert), cleanliness (department), "what went wrong?" (only if cleanliness
    ≤ 2), visit reason (single choice), extras (multiple choice, one negative option), comments (optional text)."""
    values = {"name": "Post-stay", "title_zh": "住店体验问卷", "title_en": "Your stay", "kind": kind,
              "property": property, "intro_zh": "感谢您的入住。", "intro_en": "Thank you for staying with us.",
              **extra}
    survey = services.survey_create(actor=actor, **values)
    q: dict[str, Question] = {}
    q["nps"] = services.question_create(actor=actor, survey=survey, kind=QuestionKind.NPS,
                                        text_zh="您有多大可能向朋友推荐我们？",
                                        text_en="How likely are you to recommend us to a friend?")
    q["overall"] = services.question_create(actor=actor, survey=survey, kind=QuestionKind.LIKERT,
                                            text_zh="您对本次入住总体满意吗？",
                                            text_en="Overall, how satisfied were you?")
    q["clean"] = services.question_create(actor=actor, survey=survey, kind=QuestionKind.DEPARTMENT,
                                          department="housekeeping", text_zh="客房清洁", text_en="Room cleanliness")
    q["wrong"] = services.question_create(actor=actor, survey=survey, kind=QuestionKind.TEXT,
                                          text_zh="哪里出了问题？", text_en="What went wrong?",
                                          depends_on=q["clean"], depends_operator="lte", depends_value=2)
    q["reason"] = services.question_create(
        actor=actor, survey=survey, kind=QuestionKind.SINGLE, text_zh="出行目的", text_en="Purpose of your trip",
        choices=[{"label_zh": "商务", "label_en": "Business"}, {"label_zh": "休闲", "label_en": "Leisure"}])
    q["extras"] = services.question_create(
        actor=actor, survey=survey, kind=QuestionKind.MULTIPLE, required=False, text_zh="您使用了哪些服务？",
        text_en="Which services did you use?",
        choices=[{"label_zh": "早餐", "label_en": "Breakfast"}, {"label_zh": "健身房", "label_en": "Gym"},
                 {"label_zh": "房间有噪音", "label_en": "Room was noisy", "is_negative": True}])
    q["comments"] = services.question_create(actor=actor, survey=survey, kind=QuestionKind.TEXT, required=False,
                                             text_zh="还有其他意见吗？", text_en="Anything else?")
    if status != survey.status:
        survey = services.survey_update(actor=actor, survey=survey, status=status)
    return survey, q


def grant_email(guest: Guest, *, granted: bool = True, at: dt.datetime | None = None) -> ConsentRecord:
    return ConsentRecord.objects.create(guest=guest, channel="email", granted=granted, source="test",
                                        recorded_at=at or timezone.now())


def make_guest(actor: Any, property: Any, *, consent: bool | None = True, language: str = "zh-hans",  # noqa: A002
               email: str = "", **extra: Any) -> Guest:
    values = {"family_name": "王", "given_name": "芳", "family_name_latin": "WANG", "given_name_latin": "Fang",
              "language": language, **extra}
    guest = guest_create(actor=actor, property=property, email=email or f"guest{Guest.objects.count() + 1}@example.cn",
                         **values)
    if consent is not None:
        grant_email(guest, granted=consent)
    return guest


def checked_out_stay(actor: Any, guest: Guest, property: Any, departure: dt.date, nights: int = 2) -> Stay:  # noqa: A002
    return stay_create(actor=actor, guest=guest, property=property, arrival=departure - dt.timedelta(days=nights),
                       departure=departure, room_nights=nights, room_revenue=Decimal("1200"), status="checked_out")


def invite(actor: Any, survey: Survey, guest: Guest, **extra: Any) -> Invitation:
    return services.invitation_create(actor=actor, survey=survey, guest=guest, **extra)


def link(invitation: Invitation) -> str:
    return f"/surveys/r/{link_token(invitation.public_id)}/"


def post_data(q: dict[str, Question], *, nps: int = 9, overall: int = 5, clean: int = 5, wrong: str = "",
              reason: str = "business", extras: tuple[str, ...] = (), comments: str = "") -> dict[str, Any]:
    """Form data as the browser posts it."""
    reasons = {c.label_en.lower(): c.pk for c in q["reason"].choices.all()}
    options = {c.label_en: c.pk for c in q["extras"].choices.all()}
    data: dict[str, Any] = {f"q{q['nps'].pk}": str(nps), f"q{q['overall'].pk}": str(overall),
                            f"q{q['clean'].pk}": str(clean), f"q{q['reason'].pk}": str(reasons[reason])}
    if wrong:
        data[f"q{q['wrong'].pk}"] = wrong
    if extras:
        data[f"q{q['extras'].pk}"] = [str(options[e]) for e in extras]
    if comments:
        data[f"q{q['comments'].pk}"] = comments
    return data


def answers(q: dict[str, Question], **kwargs: Any) -> dict[int, Any]:
    """The same, keyed by question id for `response_submit`."""
    return {int(k[1:]): v for k, v in post_data(q, **kwargs).items()}
