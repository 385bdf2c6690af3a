"""The built-in journeys and the message templates they send (used by `seed_journeys`; idempotent)."""
from __future__ import annotations

from typing import Any

from concierge.journeys.choices import StepKind, TriggerKind
from concierge.journeys.models import Journey, JourneyStep
from concierge.messaging.models import MessageTemplate

SIGN_OFF_ZH = "\n\n{{ property.name }}\n\n退订：{{ unsubscribe_url }}"
SIGN_OFF_EN = "\n\n{{ property.name }}\n\nUnsubscribe: {{ unsubscribe_url }}"

TEMPLATES: dict[str, dict[str, str]] = {
    "journey-birthday": {
        "name": "Journey: birthday greeting",
        "subject_zh": "{{ guest.name }}，祝您生日快乐！", "subject_en": "Happy birthday, {{ guest.name }}!",
        "body_zh": "尊敬的{{ guest.name }}：\n\n{{ property.name }}全体同事祝您生日快乐、万事如意！"
                   "期待再次为您服务。" + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nEveryone at {{ property.name }} wishes you a very happy birthday. "
                   "We look forward to welcoming you again." + SIGN_OFF_EN,
    },
    "journey-post-stay": {
        "name": "Journey: post-stay thank-you",
        "subject_zh": "感谢您入住{{ property.name }}", "subject_en": "Thank you for staying at {{ property.name }}",
        "body_zh": "尊敬的{{ guest.name }}：\n\n感谢您选择{{ property.name }}。"
                   "{% if survey_url %}请花两分钟告诉我们您的感受：{{ survey_url }}{% endif %}" + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nThank you for choosing {{ property.name }}."
                   "{% if survey_url %} Please tell us in two minutes how it went: {{ survey_url }}{% endif %}"
                   + SIGN_OFF_EN,
    },
    "journey-pre-arrival": {
        "name": "Journey: pre-arrival preferences",
        "subject_zh": "{{ guest.name }}，期待您的光临", "subject_en": "We look forward to your arrival, {{ guest.name }}",
        "body_zh": "尊敬的{{ guest.name }}：\n\n您即将入住{{ property.name }}。有什么需要我们提前准备的吗——"
                   "楼层、枕头、早餐？直接回复本邮件或致电 {{ property.phone }} 即可。" + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nYour stay at {{ property.name }} is coming up. Is there anything we "
                   "should prepare — floor, pillow, breakfast? Just reply to this email or call "
                   "{{ property.phone }}." + SIGN_OFF_EN,
    },
    "journey-win-back": {
        "name": "Journey: win-back",
        "subject_zh": "{{ guest.name }}，好久不见", "subject_en": "We haven't seen you, {{ guest.name }}",
        "body_zh": "尊敬的{{ guest.name }}：\n\n我们很久没有见到您了——是我们哪里做得不好吗？"
                   "期待您的意见，也期待再次为您服务。" + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nWe haven't seen you for a long time — what did we do wrong? "
                   "We would value your honest answer, and hope to welcome you back." + SIGN_OFF_EN,
    },
    "journey-tier-upgrade": {
        "name": "Journey: tier upgrade",
        "subject_zh": "恭喜您升级会员等级", "subject_en": "Congratulations on your new membership tier",
        "body_zh": "尊敬的{{ guest.name }}：\n\n恭喜您的会员等级升级！感谢您对{{ property.name }}的支持。"
                   + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nCongratulations on your new membership tier! Thank you for staying "
                   "with {{ property.name }}." + SIGN_OFF_EN,
    },
    "journey-complaint-resolved": {
        "name": "Journey: after a complaint",
        "subject_zh": "感谢您的反馈", "subject_en": "Thank you for telling us",
        "body_zh": "尊敬的{{ guest.name }}：\n\n感谢您告诉我们您遇到的问题，我们已经改进。希望下次能给您更好的体验。"
                   + SIGN_OFF_ZH,
        "body_en": "Dear {{ guest.name }},\n\nThank you for telling us what went wrong; we have put it right. "
                   "We hope to give you a better stay next time." + SIGN_OFF_EN,
    },
}

# code, name, trigger, params, enabled, steps
JOURNEYS: list[tuple[str, str, str, dict[str, Any], bool, list[tuple[str, dict[str, Any]]]]] = [
    ("birthday", "Birthday greeting / 生日祝福", TriggerKind.BIRTHDAY, {"days": 0}, True,
     [(StepKind.SEND_MESSAGE, {"template_code": "journey-birthday", "channel": "email"})]),
    ("post-stay", "Post-stay thank-you with survey / 离店感谢与满意度调查", TriggerKind.CHECKOUT,
     {"hours": 2, "window_days": 2}, True,
     [(StepKind.SEND_MESSAGE, {"template_code": "journey-post-stay", "channel": "email"})]),
    ("pre-arrival", "Pre-arrival preferences check / 到店前偏好确认", TriggerKind.PRE_ARRIVAL, {"days": 3}, True,
     [(StepKind.SEND_MESSAGE, {"template_code": "journey-pre-arrival", "channel": "email"})]),
    ("win-back", "Win-back after 24 months / 24个月未入住挽回", TriggerKind.NO_STAY,
     {"months": 24, "window_days": 7}, True,
     [(StepKind.SEND_MESSAGE, {"template_code": "journey-win-back", "channel": "email"}),
      (StepKind.CREATE_TASK, {"title": "Call the guest: we haven't seen them for two years", "due_days": 7})]),
    ("tier-upgrade", "Tier upgrade congratulations / 会员升级祝贺", TriggerKind.TIER_CHANGE,
     {"direction": "upgrade", "window_days": 2}, False,
     [(StepKind.SEND_MESSAGE, {"template_code": "journey-tier-upgrade", "channel": "email"}),
      (StepKind.ADD_TAG, {"tag": "tier upgraded"})]),
    ("complaint-resolved", "After a resolved complaint / 投诉解决后回访", TriggerKind.COMPLAINT_RESOLVED,
     {"window_days": 2}, False,
     [(StepKind.WAIT, {"days": 1, "hours": 0}),
      (StepKind.SEND_MESSAGE, {"template_code": "journey-complaint-resolved", "channel": "email"}),
      (StepKind.AWARD_POINTS, {"points": 500, "reason": "Goodwill after a resolved complaint"}),
      (StepKind.CREATE_TASK, {"title": "Follow up with the guest after the complaint", "due_days": 3})]),
]


def templates_seed() -> int:
    created = 0
    for code, values in TEMPLATES.items():
        _template, was_created = MessageTemplate.objects.get_or_create(
            code=code, channel="email", defaults={**values, "purpose": "marketing"})
        created += was_created
    return created


def journeys_seed(*, fallback_owner: Any = None) -> tuple[int, int]:
    """Templates and the built-in journeys; existing ones (matched by builtin_code) are left as they are."""
    from concierge.surveys.models import Survey

    templates = templates_seed()
    survey = Survey.objects.filter(kind="post_stay", status="active").order_by("pk").first()
    created = 0
    for code, name, trigger, params, enabled, steps in JOURNEYS:
        journey, was_created = Journey.objects.get_or_create(builtin_code=code, defaults={
            "name": name, "trigger_kind": trigger, "trigger_params": params, "enabled": enabled,
            "fallback_owner": fallback_owner})
        if not was_created:
            continue
        created += 1
        for position, (kind, step_params) in enumerate(steps):
            values = dict(step_params)
            if code == "post-stay" and survey is not None:
                values["survey_id"] = survey.pk
            JourneyStep.objects.create(journey=journey, position=position, kind=kind, params=values)
    return templates, created
