"""Demo surveys: a bilingual post-stay survey and about a year of responses over the demo guests and stays.

The story in the data: housekeeping ran a training on a new cleaning standard about five months ago
(a change marker records it). Room-cleanliness ratings improve after that date while the other
departments stay where they were, so the results page's before/after chart shows the effect.

Only guests whose email consent is in force are invited (the same rule the dispatcher applies), each at
most once in 30 days, one day after checkout. Responses go through `response_submit`, so answers,
timeline entries and low-score flags are exactly what a real response produces; cases and alerts are
opened only for the last two weeks (older complaints are history).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation

from concierge.accounts.models import User
from concierge.guests.models import Guest
from concierge.properties.models import Property
from concierge.stays.choices import StayStatus
from concierge.stays.models import Stay
from concierge.surveys import services
from concierge.surveys.choices import InvitationSource, InvitationStatus, QuestionKind, SurveyKind
from concierge.surveys.models import Invitation, Question, Survey, SurveyMarker
from concierge.surveys.selectors import reachable_guests
from concierge.surveys.services.inviting import CHECKOUT_TIME
from concierge.surveys.services.stats import survey_stats_rebuild
from concierge.surveys.tokens import new_public_id

DEMO_NAME = "Post-stay survey (demo)"
TRAINING_DAYS_AGO = 150
ACT_ON_LAST_DAYS = 14

# P(score = 1..5) per department; housekeeping has a before and an after distribution.
CLEAN_BEFORE = (0.07, 0.13, 0.24, 0.33, 0.23)   # CSAT ≈ 56 %
CLEAN_AFTER = (0.01, 0.03, 0.08, 0.38, 0.50)    # CSAT ≈ 88 %
OTHER = {
    "front_office": (0.02, 0.04, 0.13, 0.40, 0.41),
    "fnb": (0.03, 0.06, 0.17, 0.42, 0.32),
    "engineering": (0.03, 0.05, 0.16, 0.41, 0.35),
}
PROPERTY_SHIFT = {"SHA": 0.0, "HGH": 0.05, "SZX": -0.08}

COMMENTS = {
    "zh-hans": ["希望下次安排高楼层、安静的房间", "前台办理入住很快，谢谢", "早餐品种可以再丰富一些",
                "枕头太软了，希望有荞麦枕", "房间很干净，床很舒服", "空调有点吵", "礼宾部帮忙订餐厅，非常贴心",
                "希望能延迟退房", "浴室有头发，需要注意清洁", "健身房设备不错"],
    "en": ["Please give me a high floor, away from the lift", "Very friendly front desk", "Breakfast could have more "
           "variety", "Extra pillows please, I prefer firm ones", "Spotless room and a comfortable bed",
           "The air conditioning was noisy", "Late checkout would have been nice", "Hair in the bathroom"],
}
WRONG = {
    "zh-hans": ["浴室有头发", "地毯有污渍", "毛巾不干净", "垃圾没有清理", "床单有污渍"],
    "en": ["Hair in the bathroom", "Stained carpet", "Towels were not clean", "Bin not emptied"],
}


@dataclass
class SurveySeedResult:
    survey: Survey | None = None
    invitations: int = 0
    responses: int = 0
    acted: int = 0
    skipped_existing: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _pick(rng: random.Random, weights: tuple[float, ...], shift: float = 0.0) -> int:
    """A 1–5 score; a positive shift moves probability towards 5."""
    adjusted = [max(0.001, w + shift * (i - 2) / 2) for i, w in enumerate(weights)]
    return rng.choices(range(1, 6), weights=adjusted)[0]


def _nps_from(rng: random.Random, overall: int) -> int:
    low, high = {5: (8, 10), 4: (7, 9), 3: (4, 8), 2: (1, 6), 1: (0, 4)}[overall]
    return rng.randint(low, high)


def _build_survey(actor: Any) -> tuple[Survey, dict[str, Question]]:
    survey = services.survey_create(
        actor=actor, name=DEMO_NAME, kind=SurveyKind.POST_STAY, property=None,
        title_zh="您的入住体验", title_en="How was your stay?",
        intro_zh="感谢您选择我们的酒店。这份问卷大约需要两分钟，您的意见会直接送到各部门负责人手中。",
        intro_en="Thank you for staying with us. This survey takes about two minutes; your answers go straight to "
                 "the heads of our departments.",
        thanks_zh="感谢您的宝贵意见，期待再次为您服务！",
        thanks_en="Thank you — we look forward to welcoming you back!",
        email_subject_zh="{name}，您在{property}的入住体验如何？",
        email_subject_en="{name}, how was your stay at {property}?",
        link_valid_days=14, low_score_5=2, low_score_10=4,
    )
    q: dict[str, Question] = {}

    def add(key: str, **values: Any) -> None:
        q[key] = services.question_create(actor=actor, survey=survey, **values)

    add("nps", kind=QuestionKind.NPS, text_zh="您有多大可能向朋友或同事推荐我们的酒店？",
        text_en="How likely are you to recommend our hotel to a friend or colleague?")
    add("overall", kind=QuestionKind.LIKERT, text_zh="您对本次入住的总体满意度如何？",
        text_en="Overall, how satisfied were you with your stay?")
    add("clean", kind=QuestionKind.DEPARTMENT, department="housekeeping", text_zh="客房清洁",
        text_en="Room cleanliness")
    add("wrong", kind=QuestionKind.TEXT, text_zh="清洁方面哪里没有做好？", text_en="What was wrong with the cleaning?",
        depends_on=q["clean"], depends_operator="lte", depends_value=2)
    add("front", kind=QuestionKind.DEPARTMENT, department="front_office", text_zh="前台服务",
        text_en="Front desk service")
    add("fnb", kind=QuestionKind.DEPARTMENT, department="fnb", text_zh="餐饮（早餐、餐厅）",
        text_en="Food and drink (breakfast, restaurants)")
    add("engineering", kind=QuestionKind.DEPARTMENT, department="engineering", text_zh="房间设施（空调、热水、网络）",
        text_en="Room facilities (air conditioning, hot water, Wi-Fi)", required=False)
    add("reason", kind=QuestionKind.SINGLE, text_zh="本次出行的目的", text_en="Purpose of your trip",
        choices=[{"label_zh": "商务", "label_en": "Business"}, {"label_zh": "休闲度假", "label_en": "Leisure"},
                 {"label_zh": "会议或活动", "label_en": "Meeting or event"}])
    add("used", kind=QuestionKind.MULTIPLE, required=False, text_zh="您使用过哪些服务？（可多选）",
        text_en="Which of these did you use? (choose any)",
        choices=[{"label_zh": "早餐", "label_en": "Breakfast"}, {"label_zh": "健身房", "label_en": "Gym"},
                 {"label_zh": "水疗", "label_en": "Spa"}, {"label_zh": "延迟退房", "label_en": "Late checkout"},
                 {"label_zh": "夜间有噪音", "label_en": "Noise at night", "is_negative": True}])
    add("comments", kind=QuestionKind.TEXT, required=False, text_zh="还有什么想告诉我们的吗？",
        text_en="Anything else you would like to tell us?")
    survey = services.survey_update(actor=actor, survey=survey, status="active")
    return survey, q


@transaction.atomic
@translation.override("en")  # timeline summaries are stored as English renderings, as activity_log writes them
def surveys_seed(*, seed: int = 2024, today: dt.date | None = None, response_rate: float = 0.55) -> SurveySeedResult:
    """Create the demo post-stay survey with a year of responses. Does nothing if it exists already."""
    result = SurveySeedResult()
    if Survey.objects.filter(name=DEMO_NAME).exists():
        result.skipped_existing = True
        return result
    rng = random.Random(f"surveys-{seed}")
    now = timezone.now()
    today = today or timezone.localdate()
    actor = User.objects.filter(username="manager").first() or User.objects.filter(is_superuser=True).first()
    survey, q = _build_survey(actor)
    result.survey = survey
    properties = list(Property.objects.order_by("code"))
    for prop in properties:
        services.trigger_set(actor=None, survey=survey, property=prop, delay_hours=24, cooldown_days=30)
    training = today - dt.timedelta(days=TRAINING_DAYS_AGO)
    SurveyMarker.objects.create(label="客房部新清洁标准培训 / Housekeeping training: new cleaning standard",
                                date=training, department="housekeeping", created_by=actor)
    SurveyMarker.objects.create(label="早餐菜单更新 / New breakfast menu", date=today - dt.timedelta(days=280),
                                department="fnb", property=properties[0] if properties else None, created_by=actor)

    reachable = set(reachable_guests(Guest.objects.all()).values_list("pk", flat=True))
    stays = list(
        Stay.objects.filter(status=StayStatus.CHECKED_OUT, guest_id__in=reachable,
                            departure__gte=today - dt.timedelta(days=365), departure__lte=today - dt.timedelta(days=2))
        .select_related("guest", "property").order_by("departure", "id")
    )
    last_invited: dict[int, dt.date] = {}
    invitations: list[Invitation] = []
    for stay in stays:
        previous = last_invited.get(stay.guest_id)
        if previous is not None and (stay.departure - previous).days < 30:
            continue
        last_invited[stay.guest_id] = stay.departure
        tz = ZoneInfo(stay.property.timezone)
        sent = dt.datetime.combine(stay.departure, CHECKOUT_TIME, tzinfo=tz) + dt.timedelta(hours=24,
                                                                                          minutes=rng.randint(0, 9))
        invitations.append(Invitation(
            survey=survey, guest=stay.guest, stay=stay, property=stay.property, company_id=stay.company_id,
            source=InvitationSource.POST_STAY, public_id=new_public_id(), language=stay.guest.language,
            status=InvitationStatus.SENT, email=stay.guest.email, created_at=sent - dt.timedelta(minutes=5),
            queued_at=sent, claimed_at=sent, sent_at=sent, expires_at=sent + dt.timedelta(days=14),
        ))
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    result.invitations = len(invitations)

    for invitation in Invitation.objects.filter(survey=survey).select_related("guest", "property", "stay",
                                                                               "survey").order_by("sent_at"):
        code = invitation.property.code if invitation.property else ""
        rate = response_rate + (0.05 if code == "HGH" else -0.05 if code == "SZX" else 0.0)
        if rng.random() > rate:
            continue
        answered_at = invitation.sent_at + dt.timedelta(hours=rng.uniform(0.3, 70))  # type: ignore[operator]
        if answered_at >= now:
            continue
        shift = PROPERTY_SHIFT.get(code, 0.0)
        after_training = timezone.localtime(answered_at).date() >= training
        clean = _pick(rng, CLEAN_AFTER if after_training else CLEAN_BEFORE, shift)
        front, fnb, engineering = (_pick(rng, OTHER[d], shift) for d in ("front_office", "fnb", "engineering"))
        overall = max(1, min(5, round((clean + front + fnb + engineering) / 4 + rng.uniform(-0.6, 0.6))))
        language = invitation.language if invitation.language in COMMENTS else "zh-hans"
        values: dict[int, Any] = {
            q["nps"].pk: _nps_from(rng, overall), q["overall"].pk: overall, q["clean"].pk: clean,
            q["front"].pk: front, q["fnb"].pk: fnb, q["reason"].pk: rng.choice(list(q["reason"].choices.all())).pk,
        }
        if rng.random() < 0.85:
            values[q["engineering"].pk] = engineering
        if clean <= 2:
            values[q["wrong"].pk] = rng.choice(WRONG[language])
        used = [c.pk for c in q["used"].choices.all() if rng.random() < (0.08 if c.is_negative else 0.35)]
        if used:
            values[q["used"].pk] = used
        if rng.random() < 0.3:
            values[q["comments"].pk] = rng.choice(COMMENTS[language])
        act = answered_at >= now - dt.timedelta(days=ACT_ON_LAST_DAYS)
        response = services.response_submit(invitation=invitation, answers=values, now=answered_at, act=act)
        result.responses += 1
        result.acted += int(bool(response.action))
    # The invitations were loaded as already sent (in bulk): recount the survey's statistics from the rows.
    survey_stats_rebuild(survey=survey)
    result.counts = {"invitations": result.invitations, "responses": result.responses,
                     "acted on (last 14 days)": result.acted}
    return result
