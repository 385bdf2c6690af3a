"""Building questionnaires: surveys, questions with options and conditions, triggers, change markers."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from concierge.surveys.choices import (
    CHOICE_KINDS,
    SCORE_RANGES,
    SCORED_KINDS,
    QuestionKind,
    SurveyKind,
    SurveyStatus,
)
from concierge.surveys.models import Choice, Question, Survey, SurveyMarker, SurveyTrigger
from concierge.surveys.services.common import actor_or_none, field_error

SURVEY_FIELDS = (
    "name", "kind", "status", "property", "title_zh", "title_en", "intro_zh", "intro_en", "thanks_zh", "thanks_en",
    "email_subject_zh", "email_subject_en", "email_body_zh", "email_body_en", "link_valid_days", "low_score_5",
    "low_score_10",
)
QUESTION_FIELDS = (
    "kind", "text_zh", "text_en", "help_zh", "help_en", "department", "required", "depends_on", "depends_operator",
    "depends_value",
)


class ChoiceSpec(TypedDict, total=False):
    """An option as the builder submits it; `id` names an existing option to keep."""

    id: int | None
    label_zh: str
    label_en: str
    is_negative: bool


def _check_property(actor: Any, property: Any) -> None:  # noqa: A002
    """Staff tied to properties build surveys for one of them; only group-wide users build group-wide ones."""
    ids = actor.property_ids() if getattr(actor, "pk", None) else None
    if ids is None:
        return
    if property is None:
        raise field_error("property", _("Choose one of your properties."), "property_required")
    if property.pk not in ids:
        raise field_error("property", _("You do not work at this property."), "property_forbidden")


def _unknown(values: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError({name: [ValidationError(_("Unknown field."), code="unknown_field")]
                               for name in sorted(unknown)})


def _check_activation(survey: Survey) -> None:
    if survey.status == SurveyStatus.ACTIVE and not survey.questions.filter(is_active=True).exists():
        raise field_error("status", _("Add at least one question before activating the survey."), "no_questions")


@transaction.atomic
def survey_create(*, actor: Any, **values: Any) -> Survey:
    """Create a survey (a draft unless `status` says otherwise)."""
    _unknown(values, SURVEY_FIELDS)
    survey = Survey(created_by=actor_or_none(actor), **values)
    _check_property(actor, survey.property)
    survey.full_clean(exclude=["created_by", "property"])
    survey.save()
    _check_activation(survey)
    return survey


@transaction.atomic
def survey_update(*, actor: Any, survey: Survey, **values: Any) -> Survey:
    """Change a survey's settings or texts; activating needs at least one question."""
    _unknown(values, SURVEY_FIELDS)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    for name, value in values.items():
        setattr(survey, name, value)
    if "property" in values:
        _check_property(actor, survey.property)
        if survey.property_id and survey.triggers.exclude(property_id=survey.property_id).exists():
            raise field_error("property", _("Remove the triggers at other properties first."), "trigger_elsewhere")
    survey.full_clean(exclude=["created_by", "property"])
    survey.save()
    _check_activation(survey)
    return survey


# --- questions -------------------------------------------------------------------------------------------------


def _clean_question(question: Question, choices: Sequence[ChoiceSpec] | None) -> None:
    errors: dict[str, list[str]] = {}
    if question.kind == QuestionKind.DEPARTMENT and not question.department:
        errors["department"] = [_("Say which department a department rating is about.")]
    if question.kind in CHOICE_KINDS and choices is not None:
        filled = [c for c in choices if (c.get("label_zh") or "").strip() or (c.get("label_en") or "").strip()]
        if len(filled) < 2:
            errors["choices"] = [_("A choice question needs at least two options.")]
        elif any(not (c.get("label_zh") or "").strip() or not (c.get("label_en") or "").strip() for c in filled):
            errors["choices"] = [_("Write every option in Chinese and in English.")]
    parent = question.depends_on
    if parent is not None:
        if parent.survey_id != question.survey_id or (question.pk and parent.pk == question.pk):
            errors["depends_on"] = [_("A follow-up depends on another question of the same survey.")]
        elif parent.kind not in SCORED_KINDS:
            errors["depends_on"] = [_("A follow-up can only depend on a rating or a 0–10 question.")]
        elif question.pk and (parent.position, parent.pk) > (question.position, question.pk):
            errors["depends_on"] = [_("A follow-up must come after the question it depends on.")]
        else:
            low, high = SCORE_RANGES[parent.kind]  # type: ignore[index]
            if question.depends_value is None or not low <= question.depends_value <= high:
                errors["depends_value"] = [_("Choose a score between %(low)s and %(high)s.") % {
                    "low": low, "high": high}]
    else:
        question.depends_value = None
    if errors:
        raise ValidationError({name: [ValidationError(m, code="invalid") for m in messages]
                               for name, messages in errors.items()})
    question.full_clean(exclude=["survey", "depends_on"])


def _set_choices(question: Question, choices: Sequence[ChoiceSpec]) -> None:
    """Replace the options: keep (and update) the named ones, add new ones, delete the rest if never chosen."""
    existing = {c.pk: c for c in question.choices.all()}
    keep: list[int] = []
    position = 0
    for spec in choices:
        label_zh, label_en = (spec.get("label_zh") or "").strip(), (spec.get("label_en") or "").strip()
        if not (label_zh or label_en):
            continue
        position += 1
        choice = existing.get(spec.get("id") or 0) or Choice(question=question)
        choice.label_zh, choice.label_en = label_zh, label_en
        choice.is_negative = bool(spec.get("is_negative"))
        choice.position = position
        choice.save()
        keep.append(choice.pk)
    removed = question.choices.exclude(pk__in=keep)
    if removed.filter(answers__isnull=False).exists():
        raise field_error("choices", _("Options guests already chose cannot be removed."), "choice_answered")
    removed.delete()


@transaction.atomic
def question_create(
    *, actor: Any, survey: Survey, choices: Sequence[ChoiceSpec] | None = None, **values: Any
) -> Question:
    """Append a question to a survey (options for choice questions)."""
    _unknown(values, QUESTION_FIELDS)
    Survey.objects.select_for_update().filter(pk=survey.pk).first()  # serialise positions per survey
    last = survey.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question(survey=survey, position=last + 1, **values)
    _clean_question(question, choices if question.kind in CHOICE_KINDS else None)
    question.save()
    if question.kind in CHOICE_KINDS:
        _set_choices(question, choices or [])
    return question


@transaction.atomic
def question_update(
    *, actor: Any, question: Question, choices: Sequence[ChoiceSpec] | None = None, **values: Any
) -> Question:
    """Edit a question. Its type cannot change once guests have answered it."""
    _unknown(values, QUESTION_FIELDS)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if "kind" in values and values["kind"] != question.kind and question.answers.exists():
        raise field_error("kind", _("Guests have answered this question: its type cannot change."), "kind_answered")
    for name, value in values.items():
        setattr(question, name, value)
    _clean_question(question, choices if question.kind in CHOICE_KINDS else None)
    question.save()
    if question.kind in CHOICE_KINDS and choices is not None:
        _set_choices(question, choices)
    elif question.kind not in CHOICE_KINDS and not question.answers.exists():
        question.choices.all().delete()
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> bool:
    """Remove a question: deleted if never answered, otherwise retired (kept for the results). True if deleted."""
    if question.follow_ups.filter(is_active=True).exists():
        raise ValidationError(_("Remove the follow-up questions that depend on this one first."),
                              code="has_follow_ups")
    survey = question.survey
    if survey.status == SurveyStatus.ACTIVE and not survey.questions.filter(is_active=True).exclude(
            pk=question.pk).exists():
        raise ValidationError(_("An active survey needs at least one question."), code="no_questions")
    if question.answers.exists():
        Question.objects.filter(pk=question.pk).update(is_active=False)
        return False
    question.delete()
    question_renumber(survey=survey)
    return True


@transaction.atomic
def question_move(*, actor: Any, question: Question, offset: int) -> None:
    """Move a question up (-1) or down (+1); a follow-up never moves above the question it depends on."""
    siblings = list(Question.objects.select_for_update().filter(survey_id=question.survey_id)
                    .order_by("position", "id"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    order = {q.pk: i for i, q in enumerate(siblings)}
    for q in siblings:
        if q.depends_on_id and order.get(q.depends_on_id, -1) > order[q.pk]:
            raise ValidationError(_("A follow-up must come after the question it depends on."), code="order")
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)


def question_renumber(*, survey: Survey) -> None:
    """Close gaps in positions (after deletions)."""
    for position, pk in enumerate(survey.questions.order_by("position", "id").values_list("pk", flat=True), 1):
        Question.objects.filter(pk=pk).exclude(position=position).update(position=position)


# --- triggers and markers --------------------------------------------------------------------------------------


@transaction.atomic
def trigger_set(
    *, actor: Any, survey: Survey, property: Any, delay_hours: int = 24,  # noqa: A002
    cooldown_days: int = 90, is_active: bool = True,
) -> SurveyTrigger:
    """Send `survey` N hours after checkout at `property` (create or change the property's trigger)."""
    if survey.kind != SurveyKind.POST_STAY:
        raise field_error("survey", _("Only post-stay surveys are sent after checkout."), "not_post_stay")
    if survey.property_id and survey.property_id != property.pk:
        raise field_error("property", _("This survey belongs to another property."), "other_property")
    _check_property(actor, property)
    if not 0 <= delay_hours <= 24 * 14:
        raise field_error("delay_hours", _("Send within two weeks of checkout."), "delay_range")
    trigger, _created = SurveyTrigger.objects.update_or_create(
        survey=survey, property=property,
        defaults={"delay_hours": delay_hours, "cooldown_days": cooldown_days, "is_active": is_active},
    )
    if is_active:
        # One active post-stay trigger per property, so a guest never gets two surveys for one checkout.
        SurveyTrigger.objects.filter(property=property, is_active=True).exclude(pk=trigger.pk).update(is_active=False)
    return trigger


@transaction.atomic
def trigger_remove(*, actor: Any, trigger: SurveyTrigger) -> None:
    trigger.delete()


@transaction.atomic
def marker_create(
    *, actor: Any, label: str, date: Any, department: str = "", property: Any = None,  # noqa: A002
) -> SurveyMarker:
    """Record a dated change (training, renovation, new menu) to compare results before and after."""
    _check_property(actor, property)
    marker = SurveyMarker(label=(label or "").strip(), date=date, department=department, property=property,
                          created_by=actor_or_none(actor))
    marker.full_clean(exclude=["property", "created_by"])
    marker.save()
    return marker


@transaction.atomic
def marker_remove(*, actor: Any, marker: SurveyMarker) -> None:
    marker.delete()

