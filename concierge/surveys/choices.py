"""Choice sets of the surveys module."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    POST_STAY = "post_stay", _("Post-stay")
    PERIODIC = "periodic", _("Periodic")
    FOLLOWUP = "followup", _("Complaint follow-up")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Likert scale 1–5")
    NPS = "nps", _("Scale 0–10 (NPS)")
    DEPARTMENT = "department", _("Department rating 1–5")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Open text")


# Kinds answered with a number, and the range of that number.
SCORED_KINDS = (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.DEPARTMENT)
FIVE_POINT_KINDS = (QuestionKind.LIKERT, QuestionKind.DEPARTMENT)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
SCORE_RANGES = {QuestionKind.LIKERT: (1, 5), QuestionKind.DEPARTMENT: (1, 5), QuestionKind.NPS: (0, 10)}


class Department(models.TextChoices):
    """Hotel departments a rating (and a case opened from it) is about; codes as in the service centre."""

    FRONT_OFFICE = "front_office", _("Front office")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    FNB = "fnb", _("Food & beverage")
    ENGINEERING = "engineering", _("Engineering")
    RESERVATIONS = "reservations", _("Reservations")
    SALES = "sales", _("Sales")
    OTHER = "other", _("Other")


class ConditionOperator(models.TextChoices):
    LTE = "lte", _("at most")
    GTE = "gte", _("at least")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class InvitationSource(models.TextChoices):
    POST_STAY = "post_stay", _("After checkout")
    PERIODIC = "periodic", _("Periodic run")
    MANUAL = "manual", _("Sent by staff")
    FOLLOWUP = "followup", _("Complaint follow-up")


class RunStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpAction(models.TextChoices):
    NONE = "", _("None")
    CASE = "case", _("Case opened")
    ALERT = "alert", _("Account manager alerted")


class StatMetric(models.TextChoices):
    """What a SurveyStat row counts."""

    ANSWER = "a", "answers (question, score)"
    CHOICE = "c", "options chosen (question, option)"
    TEXT = "t", "texts written (question)"
    RESPONSE = "r", "responses"
    SENT = "s", "invitations sent"
    ANSWERED = "y", "invitations answered (by day sent)"
