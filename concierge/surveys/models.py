"""Satisfaction surveys: questionnaires, who was invited (single-use links), and what they answered.

Guest-facing text (titles, questions, choices, emails) is stored once per language (`*_zh`, `*_en`)
and shown in the guest's language. Answers carry copies of their response's survey, property and
time. The results page reads `SurveyStat`, daily counts kept up to date as answers arrive and mails
leave, so it costs the same with a thousand responses or a million.
"""
from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.core.querysets import ScopedQuerySet
from concierge.guests.choices import Language
from concierge.surveys.choices import (
    SCORE_RANGES,
    ConditionOperator,
    Department,
    FollowUpAction,
    InvitationSource,
    InvitationStatus,
    QuestionKind,
    RunStatus,
    StatMetric,
    SurveyKind,
    SurveyStatus,
)


def localized(obj: object, field: str, language: str | None) -> str:
    """`obj.<field>_zh` for Chinese, `obj.<field>_en` otherwise; falls back to the other language if empty."""
    zh, en = getattr(obj, f"{field}_zh", ""), getattr(obj, f"{field}_en", "")
    first, second = (zh, en) if (language or "").startswith("zh") else (en, zh)
    return first or second


class Survey(models.Model):
    """A questionnaire in Chinese and English, for one property or (no property) the whole group."""

    name = models.CharField(_("internal name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=SurveyKind.choices, default=SurveyKind.POST_STAY)
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="surveys",
        verbose_name=_("property"), help_text=_("Empty: every property of the group."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    thanks_zh = models.TextField(_("thank-you message (Chinese)"), blank=True)
    thanks_en = models.TextField(_("thank-you message (English)"), blank=True)
    email_subject_zh = models.CharField(_("email subject (Chinese)"), max_length=200, blank=True)
    email_subject_en = models.CharField(_("email subject (English)"), max_length=200, blank=True)
    email_body_zh = models.TextField(
        _("email text (Chinese)"), blank=True,
        help_text=_("Placeholders: {name}, {property}, {link}, {expires}. Empty: a standard text."),
    )
    email_body_en = models.TextField(_("email text (English)"), blank=True)
    link_valid_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=14)
    low_score_5 = models.PositiveSmallIntegerField(
        _("act on 1–5 ratings at or below"), default=2,
        help_text=_("A rating at or below this opens a case (or alerts the account manager)."),
    )
    low_score_10 = models.PositiveSmallIntegerField(
        _("act on 0–10 ratings at or below"), default=4,
        help_text=_("Detractors score 0–6; acting on each of them is usually too much."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Property scoping (concierge.guests.scoping): the property's staff; no property means group-wide.
    scope_property_field = "property"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low_score_5__lte=5) & Q(low_score_10__lte=10),
                name="survey_low_score_in_range",
                violation_error_message=_("Low-score thresholds must lie within their scales."),
            ),
            models.CheckConstraint(
                condition=Q(link_valid_days__gte=1),
                name="survey_link_valid_days_positive",
                violation_error_message=_("A link must be valid for at least one day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def title_in(self, language: str | None) -> str:
        return localized(self, "title", language)

    @builtins.property
    def is_active(self) -> bool:
        return self.status == SurveyStatus.ACTIVE


class Question(models.Model):
    """One question. A follow-up (`depends_on`) is asked only when an earlier score meets its condition."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500)
    help_zh = models.CharField(_("hint (Chinese)"), max_length=300, blank=True)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    required = models.BooleanField(_("required"), default=True)
    depends_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups",
        verbose_name=_("only ask when question"),
    )
    depends_operator = models.CharField(
        _("condition"), max_length=3, choices=ConditionOperator.choices, default=ConditionOperator.LTE
    )
    depends_value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    is_active = models.BooleanField(
        _("asked"), default=True, help_text=_("Removed questions that already have answers stay in the results."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.DEPARTMENT) | ~Q(department=""),
                name="question_department_rating_has_department",
                violation_error_message=_("Say which department a department rating is about."),
            ),
            models.CheckConstraint(
                condition=Q(depends_on__isnull=True) | Q(depends_value__isnull=False),
                name="question_condition_has_value",
                violation_error_message=_("A follow-up needs the score that triggers it."),
            ),
        ]

    def __str__(self) -> str:
        return self.text_en or self.text_zh

    def text_in(self, language: str | None) -> str:
        return localized(self, "text", language)

    def help_in(self, language: str | None) -> str:
        return localized(self, "help", language)

    @builtins.property
    def score_range(self) -> tuple[int, int] | None:
        return SCORE_RANGES.get(self.kind)  # type: ignore[call-overload]

    def condition_met(self, score: int | None) -> bool:
        """Whether this follow-up applies given the score of the question it depends on."""
        if self.depends_on_id is None:
            return True
        if score is None or self.depends_value is None:
            return False
        if self.depends_operator == ConditionOperator.GTE:
            return score >= self.depends_value
        return score <= self.depends_value


class Choice(models.Model):
    """An option of a single- or multiple-choice question. A negative option is acted on like a low score."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label_zh = models.CharField(_("option (Chinese)"), max_length=200)
    label_en = models.CharField(_("option (English)"), max_length=200)
    is_negative = models.BooleanField(
        _("negative"), default=False, help_text=_("Choosing it opens a case (or alerts the account manager)."),
    )

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question_id", "position", "id"]

    def __str__(self) -> str:
        return self.label_en or self.label_zh

    def label_in(self, language: str | None) -> str:
        return localized(self, "label", language)


class SurveyTrigger(models.Model):
    """Send a post-stay survey N hours after checkout at one property, sparing recently surveyed guests."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="triggers")
    property = models.ForeignKey(
        "properties.Property", on_delete=models.CASCADE, related_name="+", verbose_name=_("property")
    )
    delay_hours = models.PositiveSmallIntegerField(_("hours after checkout"), default=24)
    cooldown_days = models.PositiveSmallIntegerField(
        _("skip guests surveyed in the last (days)"), default=90,
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_property_field = "property"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-stay trigger")
        verbose_name_plural = _("post-stay triggers")
        ordering = ["property__code"]
        constraints = [models.UniqueConstraint(fields=["survey", "property"], name="surveytrigger_unique")]

    def __str__(self) -> str:
        return f"{self.survey} @ {self.property_id} +{self.delay_hours}h"


class SurveyRun(models.Model):
    """A periodic send to an audience (a stored filter, later a segment), once or repeating."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="runs")
    label = models.CharField(_("label"), max_length=200, blank=True)
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    scheduled_for = models.DateTimeField(_("send at"), default=timezone.now)
    repeat_days = models.PositiveSmallIntegerField(_("repeat every (days)"), null=True, blank=True)
    cooldown_days = models.PositiveSmallIntegerField(_("skip guests surveyed in the last (days)"), default=90)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.SCHEDULED)
    invited = models.PositiveIntegerField(_("invited"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey run")
        verbose_name_plural = _("survey runs")
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="surveyrun_due")]

    def __str__(self) -> str:
        return self.label or f"{self.survey} {self.scheduled_for:%Y-%m-%d}"


class Invitation(models.Model):
    """One recipient's single-use link to one survey, and the state of its email.

    The link carries `public_id` signed with the secret key (see `surveys.tokens`); a forged or
    altered link fails the signature. Sending claims the row with a conditional UPDATE, so a batch
    queued twice never mails anyone twice.
    """

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_invitations"
    )
    stay = models.ForeignKey("stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey("guests.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(SurveyRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations")
    source = models.CharField(_("source"), max_length=10, choices=InvitationSource.choices)
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True, help_text="Service-centre case id.")
    public_id = models.CharField(max_length=32, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    status = models.CharField(
        _("status"), max_length=8, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    email = models.EmailField(_("sent to"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="invitation_status_queued"),
            models.Index(fields=["survey", "sent_at"], name="invitation_survey_sent"),
            models.Index(fields=["guest", "-created_at"], name="invitation_guest_created"),
        ]
        constraints = [
            # One post-stay survey per stay, even if two dispatchers race.
            models.UniqueConstraint(
                fields=["survey", "stay"], condition=Q(stay__isnull=False), name="invitation_one_per_stay"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.public_id[:6]}…"

    @builtins.property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def anonymize(self) -> None:
        """Forget the recipient (personal-data erasure); the counts in the results remain."""
        self.guest = None
        self.email = ""
        self.save(update_fields=["guest", "email"])


class Response(models.Model):
    """The answers a guest submitted through one invitation (at most one per invitation)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    stay = models.ForeignKey("stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("property"),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    is_negative = models.BooleanField(_("low score"), default=False)
    action = models.CharField(_("follow-up"), max_length=6, choices=FollowUpAction.choices, blank=True)
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True)
    alert = models.ForeignKey("guests.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_notified_at = models.DateTimeField(_("account manager told"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "-submitted_at"], name="response_survey_time"),
            models.Index(fields=["guest", "-submitted_at"], name="response_guest_time"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.submitted_at:%Y-%m-%d}"

    def anonymize(self) -> None:
        """Drop the link to the person and their free text; scores stay in the statistics."""
        self.guest = None
        self.save(update_fields=["guest"])
        self.answers.exclude(text="").update(text="")


class Answer(models.Model):
    """One answer: a score, a text, or chosen options. Survey, property and time are copied from the response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    property = models.ForeignKey("properties.Property", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    submitted_at = models.DateTimeField()
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    choices = models.ManyToManyField(Choice, blank=True, related_name="answers")
    preference = models.ForeignKey(
        "guests.Preference", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The preference staff saved from this answer.",
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "question__position", "question_id"]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="answer_survey_time"),
            models.Index(fields=["question", "submitted_at"], name="answer_question_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10),
                name="answer_score_in_range",
                violation_error_message=_("A score lies between 0 and 10."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score if self.score is not None else self.text[:40]}"


class SurveyMarker(models.Model):
    """A dated change to compare before and after ("new housekeeping training", "breakfast menu")."""

    label = models.CharField(_("what changed"), max_length=200)
    date = models.DateField(_("date"))
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("property"), help_text=_("Empty: every property."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_property_field = "property"
    scope_property_shared_when_null = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("change marker")
        verbose_name_plural = _("change markers")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.label}"


class SurveyStat(models.Model):
    """How many of something happened for a survey at a property on a (local) day: answers per question and
    score, options chosen, texts written, responses, invitations sent and later answered.

    Services add to these counts in the same transaction as the rows they count (one UPSERT per response or
    batch of mails); `survey_stats_rebuild` recomputes them from the rows after bulk loads. `property_key`
    and `question_key` are plain integers (0 = none) because they are part of the unique key, where NULLs
    would never conflict.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=1, choices=StatMetric.choices)
    day = models.DateField(help_text="Local day in the property's time zone.")
    property_key = models.PositiveBigIntegerField(default=0)
    question_key = models.PositiveBigIntegerField(default=0)
    value = models.BigIntegerField(default=0, help_text="The score, or the chosen option's id.")
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("survey statistic")
        verbose_name_plural = _("survey statistics")
        constraints = [
            models.UniqueConstraint(fields=["survey", "metric", "day", "property_key", "question_key", "value"],
                                    name="surveystat_key"),
        ]

    def __str__(self) -> str:
        key = f"{self.survey_id}/{self.metric}/{self.day}/p{self.property_key}/q{self.question_key}"
        return f"{key}={self.value}: {self.n}"
