"""Answering: validating and saving a response, and acting on it (timeline, case or alert, preferences)."""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from concierge.core.choices import ActivityKind
from concierge.core.i18n import LocalizedText
from concierge.core.services import activity_log
from concierge.guests.choices import AlertCategory, AlertSeverity, PreferenceSource
from concierge.guests.models import Guest, Preference
from concierge.guests.services import alert_add, preference_add
from concierge.surveys.choices import (
    CHOICE_KINDS,
    FIVE_POINT_KINDS,
    SCORED_KINDS,
    Department,
    FollowUpAction,
    QuestionKind,
    StatMetric,
    SurveyStatus,
)
from concierge.surveys.models import Answer, Invitation, Question, Response
from concierge.surveys.selectors import survey_questions
from concierge.surveys.services.stats import StatKey, local_day, stats_add

logger = logging.getLogger(__name__)

TEXT_MAX = 2000
AnswerValue = int | str | list[int] | None


# --- validation -------------------------------------------------------------------------------------------------


def answers_clean(
    questions: Sequence[Question], values: Mapping[int, Any]
) -> tuple[dict[int, AnswerValue], dict[int, str]]:
    """Check answers against the questions, in order. Returns (clean answers, errors by question id).

    A follow-up counts only when its condition holds on the (clean) answer it depends on: otherwise it is
    neither required nor kept, whatever the browser sent. Options must belong to their question; scores
    must lie on the question's scale.
    """
    clean: dict[int, AnswerValue] = {}
    errors: dict[int, str] = {}
    asked: set[int] = set()
    for question in questions:
        if question.depends_on_id is not None:
            parent_score = clean.get(question.depends_on_id)
            if question.depends_on_id not in asked or not question.condition_met(
                    parent_score if isinstance(parent_score, int) else None):
                continue
        asked.add(question.pk)
        raw = values.get(question.pk)
        value, error = _clean_value(question, raw)
        if error:
            errors[question.pk] = error
        elif value in (None, "", []):
            if question.required:
                errors[question.pk] = _("This field is required.")
        else:
            clean[question.pk] = value
    return clean, errors


def _clean_value(question: Question, raw: Any) -> tuple[AnswerValue, str]:
    if raw in (None, "", [], ()):
        return None, ""
    if question.kind in SCORED_KINDS:
        low, high = question.score_range  # type: ignore[misc]
        try:
            score = int(raw)
        except (TypeError, ValueError):
            score = None
        if score is None or not low <= score <= high:
            return None, _("Choose a score between %(low)s and %(high)s.") % {"low": low, "high": high}
        return score, ""
    if question.kind in CHOICE_KINDS:
        options = {c.pk for c in question.choices.all()}
        chosen = raw if isinstance(raw, (list, tuple, set)) else [raw]
        try:
            ids = sorted({int(c) for c in chosen})
        except (TypeError, ValueError):
            return None, _("Choose one of the options.")
        if not ids or not set(ids) <= options or (question.kind == QuestionKind.SINGLE and len(ids) > 1):
            return None, _("Choose one of the options.")
        return ids, ""
    text = str(raw).strip()
    if len(text) > TEXT_MAX:
        return None, _("Please keep it under %(max)s characters.") % {"max": TEXT_MAX}
    return text, ""


# --- saving -----------------------------------------------------------------------------------------------------


@transaction.atomic
def response_submit(
    *, invitation: Invitation, answers: Mapping[int, Any], now: dt.datetime | None = None, act: bool = True
) -> Response:
    """Save a guest's answers through their single-use link, then act on them (`act=False` records past
    responses, e.g. demo history, without opening cases or alerts; they still reach the timeline).

    The link is used up by a conditional UPDATE (answered_at IS NULL and not expired) inside this
    transaction, and the response is one-to-one with the invitation, so two submissions racing each
    other save one response; the other gets a ValidationError with code "link_used".
    """
    now = now or timezone.now()
    survey = invitation.survey
    if survey.status != SurveyStatus.ACTIVE:
        raise ValidationError(_("This survey is closed."), code="survey_closed")
    questions = survey_questions(survey)
    clean, errors = answers_clean(questions, answers)
    if errors:
        raise ValidationError({f"q{pk}": [ValidationError(message, code="invalid")] for pk, message in errors.items()})
    used = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now).update(
        answered_at=now)
    if not used:
        raise ValidationError(_("This link has already been used or has expired."), code="link_used")
    invitation.answered_at = now
    # The caller's copy may predate the mail going out: the response rate needs the stored sending time.
    invitation.sent_at = Invitation.objects.filter(pk=invitation.pk).values_list("sent_at", flat=True).get()
    property_ = invitation.property
    response = Response.objects.create(
        invitation=invitation, survey=survey, guest=invitation.guest, stay=invitation.stay, property=property_,
        language=invitation.language, submitted_at=now,
    )
    day, key = local_day(now, property_), property_.pk if property_ else 0
    stats: list[StatKey] = [(survey.pk, StatMetric.RESPONSE, day, key, 0, 0)]
    if invitation.sent_at is not None:  # the response rate counts answers by the day the invitation went out
        stats.append((survey.pk, StatMetric.ANSWERED, local_day(invitation.sent_at, property_), key, 0, 0))
    rows, chosen = [], []
    by_id = {q.pk: q for q in questions}
    for pk, value in clean.items():
        question = by_id[pk]
        answer = Answer(response=response, question=question, survey=survey, property=property_, submitted_at=now)
        if question.kind in SCORED_KINDS:
            answer.score = value  # type: ignore[assignment]
            stats.append((survey.pk, StatMetric.ANSWER, day, key, pk, value))  # type: ignore[arg-type]
        elif question.kind in CHOICE_KINDS:
            chosen.append((answer, value))
            stats += [(survey.pk, StatMetric.CHOICE, day, key, pk, c) for c in value]  # type: ignore[union-attr]
        else:
            answer.text = value  # type: ignore[assignment]
            stats.append((survey.pk, StatMetric.TEXT, day, key, pk, 0))
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    through = Answer.choices.through
    through.objects.bulk_create([through(answer_id=a.pk, choice_id=c) for a, ids in chosen for c in ids])
    stats_add(stats)

    problems = _negative_findings(response, questions, clean)
    response.is_negative = bool(problems)
    _log_on_timeline(response, questions, clean, problems)
    if problems and act:
        _act_on_negative(response, problems)
    response.save(update_fields=["is_negative", "action", "case_id", "alert"])
    return response


@dataclass
class Finding:
    """One low score or negative option in a response."""

    question: Question
    score: int | None = None
    option_zh: str = ""
    option_en: str = ""


def _negative_findings(
    response: Response, questions: Sequence[Question], clean: Mapping[int, AnswerValue]
) -> list[Finding]:
    survey = response.survey
    found = []
    for question in questions:
        value = clean.get(question.pk)
        if value is None:
            continue
        if question.kind in FIVE_POINT_KINDS and isinstance(value, int) and value <= survey.low_score_5:
            found.append(Finding(question, score=value))
        elif question.kind == QuestionKind.NPS and isinstance(value, int) and value <= survey.low_score_10:
            found.append(Finding(question, score=value))
        elif question.kind in CHOICE_KINDS and isinstance(value, list):
            for choice in question.choices.all():
                if choice.pk in value and choice.is_negative:
                    found.append(Finding(question, option_zh=choice.label_zh, option_en=choice.label_en))
    return found


def _answer_text(question: Question, value: AnswerValue, language: str) -> str:
    if question.kind in SCORED_KINDS:
        low, high = question.score_range  # type: ignore[misc]
        return f"{value}/{high}"
    if question.kind in CHOICE_KINDS and isinstance(value, list):
        return ", ".join(c.label_in(language) for c in question.choices.all() if c.pk in value)
    return str(value)


def _log_on_timeline(response: Response, questions: Sequence[Question], clean: Mapping[int, AnswerValue],
                     problems: list[Finding]) -> None:
    """One timeline entry per response: scores in the summary data, every answer (as the guest saw it) in the body."""
    if response.guest is None:
        return
    language = response.language
    body = "\n".join(f"{q.text_in(language)} — {_answer_text(q, clean[q.pk], language)}"
                     for q in questions if q.pk in clean)
    nps = next((clean[q.pk] for q in questions if q.kind == QuestionKind.NPS and q.pk in clean), None)
    if problems:
        summary = LocalizedText(gettext_noop("Survey answered with a low score: %(survey)s"),
                                {"survey": response.survey.name})
    elif nps is not None:
        summary = LocalizedText(gettext_noop("Survey answered: %(survey)s (likely to recommend: %(nps)s/10)"),
                                {"survey": response.survey.name, "nps": nps})
    else:
        summary = LocalizedText(gettext_noop("Survey answered: %(survey)s"), {"survey": response.survey.name})
    # NOTE, not a "contact" kind: the guest answering must not count as staff having contacted them.
    activity_log(actor=None, kind=ActivityKind.NOTE, guest=response.guest, property=response.property,
                 summary=summary, body=body, occurred_at=response.submitted_at,
                 data={"event": "survey_response", "survey_id": response.survey_id, "response_id": response.pk,
                       "low_score": bool(problems),
                       "scores": {str(q.pk): clean[q.pk] for q in questions
                                  if q.kind in SCORED_KINDS and q.pk in clean}})


# --- acting on low scores ----------------------------------------------------------------------------------------


def _finding_line(finding: Finding, language: str) -> str:
    text = finding.question.text_in(language)
    if finding.score is not None:
        high = (finding.question.score_range or (0, 10))[1]
        return f"{text} {finding.score}/{high}"
    option = finding.option_zh if language.startswith("zh") else finding.option_en
    return f"{text} {option or finding.option_en or finding.option_zh}"


def _department(problems: list[Finding]) -> str:
    """The department of the lowest department rating, else that of any finding, else 'other'."""
    rated = sorted((f for f in problems if f.question.department and f.score is not None), key=lambda f: f.score)
    for finding in rated + problems:
        if finding.question.department:
            return finding.question.department
    return Department.OTHER


def _case_create_function() -> Any:
    """The service centre's case_create, if that module is installed and offers it (checked at call time)."""
    if not apps.is_installed("concierge.cases"):
        return None
    for module_name in ("concierge.cases.services", "concierge.cases.services.cases"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, "case_create", None)
        if callable(function):
            return function
    return None


def _open_case(response: Response, problems: list[Finding]) -> int | None:
    """Open a complaint in the service centre. None when there is no service centre or it refused."""
    case_create = _case_create_function()
    property_ = response.property or (response.stay.property if response.stay_id else None)
    if case_create is None or property_ is None:
        return None
    first = problems[0]
    subject = " / ".join([
        "问卷低分：" + _finding_line(first, "zh-hans"),
        "Low survey score: " + _finding_line(first, "en"),
    ])[:200]
    description = "\n".join(_finding_line(f, response.language) for f in problems)
    earlier_case = response.invitation.case_id
    if earlier_case:
        description += f"\n\n投诉回访问卷 / Follow-up survey of case #{earlier_case}"
    description += "\n\n" + _staff_link(response)
    offered = {
        "actor": None, "property": property_, "subject": subject, "case_type": "complaint", "channel": "survey",
        "department": _department(problems), "description": description, "guest": response.guest,
        "stay": response.stay, "opened_at": response.submitted_at,
    }
    accepted = inspect.signature(case_create).parameters
    kwargs = {name: value for name, value in offered.items() if name in accepted}
    try:
        with transaction.atomic():  # a savepoint: a refusal must not undo the guest's answers
            case = case_create(**kwargs)
    except Exception:  # noqa: BLE001 - another team's module; the guest's answers are saved whatever happens there
        logger.exception("The service centre did not open a case for survey response %s", response.pk)
        return None
    return getattr(case, "pk", None)


def _staff_link(response: Response) -> str:
    base = getattr(settings, "CONCIERGE_BASE_URL", "") or ""
    return base.rstrip("/") + reverse("surveys:response_detail", args=[response.pk])


def _act_on_negative(response: Response, problems: list[Finding]) -> None:
    """A case in the service centre when there is one; otherwise an alert on the guest and a mail to their
    account manager."""
    case_id = _open_case(response, problems)
    if case_id is not None:
        response.action, response.case_id = FollowUpAction.CASE, case_id
        return
    if response.guest is None:
        return
    stay = response.stay
    when = f" ({stay.departure:%Y-%m-%d})" if stay is not None else ""
    text = " / ".join([
        "问卷低分" + when + "：" + "；".join(_finding_line(f, "zh-hans") for f in problems),
        "Low survey score" + when + ": " + "; ".join(_finding_line(f, "en") for f in problems),
    ])[:500]
    response.alert = alert_add(actor=None, guest=response.guest, text=text, severity=AlertSeverity.WARNING,
                               category=AlertCategory.COMPLAINT, stay=stay)
    response.action = FollowUpAction.ALERT
    if response.guest.owner_id:
        from concierge.surveys.tasks import notify_account_manager

        response_id = response.pk
        transaction.on_commit(lambda: notify_account_manager.delay(response_id))


def account_manager_notify(*, response_id: int) -> bool:
    """Mail the guest's account manager about a low score, in the manager's language. False if nobody to tell."""
    response = (Response.objects.select_related("guest__owner", "survey", "property", "stay")
                .filter(pk=response_id).first())
    if response is None or response.guest is None or response.guest.owner is None:
        return False
    owner = response.guest.owner
    if not owner.email or not owner.is_active:
        return False
    # Claim the notification first: a redelivered task finds it taken and does not mail the manager twice.
    if not Response.objects.filter(pk=response.pk, owner_notified_at__isnull=True).update(
            owner_notified_at=timezone.now()):
        return False
    answers = list(response.answers.select_related("question").prefetch_related("choices")
                   .order_by("question__position"))
    language = owner.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Low survey score from %(guest)s") % {"guest": response.guest.display_name}
        body = render_to_string("surveys/email/low_score_staff.txt", {
            "owner": owner, "response": response, "answers": answers, "link": _staff_link(response),
            "guest_link": (getattr(settings, "CONCIERGE_BASE_URL", "") or "").rstrip("/") + reverse(
                "web:guest_detail", args=[response.guest.pk]),
        })
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email]).send()
    return True


# --- preferences from answers, personal data ---------------------------------------------------------------------


@transaction.atomic
def answer_save_preference(*, actor: Any, answer: Answer, category: str, value: str, note: str = "") -> Preference:
    """Save what a guest wrote as a preference on their profile (staff, one click from the answer)."""
    response = answer.response
    if response.guest is None:
        raise ValidationError(_("This answer is no longer linked to a guest."), code="no_guest")
    note = note or _("From survey answer of %(date)s") % {"date": timezone.localtime(answer.submitted_at).date()}
    preference = preference_add(actor=actor, guest=response.guest, category=category, value=value, note=note[:300],
                                source=PreferenceSource.SURVEY, stay=response.stay)
    Answer.objects.filter(pk=answer.pk).update(preference=preference)
    answer.preference = preference
    return preference


@transaction.atomic
def surveys_anonymize_guest(*, guest: Guest) -> None:
    """Erase a guest from the surveys: invitations and responses lose the person and free text, scores stay."""
    Answer.objects.filter(response__guest=guest).exclude(text="").update(text="")
    Response.objects.filter(guest=guest).update(guest=None)
    Invitation.objects.filter(guest=guest).update(guest=None, email="")
