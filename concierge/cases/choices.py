from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    REQUEST = "request", _("Request")
    LOST_FOUND = "lost_found", _("Lost & found")
    COMPLIMENT = "compliment", _("Compliment")


class Department(models.TextChoices):
    FRONT_OFFICE = "front_office", _("Front office")
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    FNB = "fnb", _("Food & beverage")
    ENGINEERING = "engineering", _("Engineering")
    SALES = "sales", _("Sales")
    RESERVATIONS = "reservations", _("Reservations")
    OTHER = "other", _("Other")


class CaseChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WALK_IN = "walk_in", _("Walk-in")
    WEB = "web", _("Web")
    WECHAT = "wechat", _("WeChat")
    SURVEY = "survey", _("Survey")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on guest")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which the case still needs work (the SLA clocks run, it shows as "open").
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)
DONE_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)

# The workflow: status -> statuses it may move to with `case_transition`. Resolving goes through `case_resolve`
# (it needs a resolution), reopening through `case_reopen`; both are listed so the rules stay in one table.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED),
    CaseStatus.ASSIGNED: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED),
    CaseStatus.IN_PROGRESS: (CaseStatus.WAITING, CaseStatus.RESOLVED),
    CaseStatus.WAITING: (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED),
    CaseStatus.RESOLVED: (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS),
    CaseStatus.CLOSED: (CaseStatus.IN_PROGRESS,),
}


class CompensationType(models.TextChoices):
    NONE = "", _("None")
    APOLOGY = "apology", _("Apology / amenity")
    DISCOUNT = "discount", _("Discount")
    REFUND = "refund", _("Refund")
    UPGRADE = "upgrade", _("Room upgrade")
    FREE_NIGHT = "free_night", _("Free night")
    POINTS = "points", _("Loyalty points")
    VOUCHER = "voucher", _("Voucher")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status changed")
    RESPONSE = "response", _("Response to guest")
    NOTE = "note", _("Internal note")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated")
    DUE_SOON = "due_soon", _("Due soon")
    LOOP = "loop", _("Closed loop")
    PROMOTED = "promoted", _("Promoted to knowledge base")


class LoopStep(models.TextChoices):
    """State of one step of the closed complaint loop."""

    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not applicable")
    FAILED = "failed", _("Failed")


# A step counts towards "loop closed" when it is done, or cannot apply (no account manager, no surveys module).
LOOP_OK = (LoopStep.DONE, LoopStep.SKIPPED)


class GuestToldVia(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    NOT_TOLD = "none", _("Not told")


class ResponseChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    WECHAT = "wechat", _("WeChat")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class LostItemCategory(models.TextChoices):
    ELECTRONICS = "electronics", _("Electronics")
    CLOTHING = "clothing", _("Clothing")
    DOCUMENTS = "documents", _("Documents / cards")
    JEWELLERY = "jewellery", _("Jewellery / watches")
    BAGS = "bags", _("Bags / luggage")
    TOYS = "toys", _("Toys")
    OTHER = "other", _("Other")


class LostItemStatus(models.TextChoices):
    STORED = "stored", _("Stored")
    MATCHED = "matched", _("Matched to guest")
    NOTIFIED = "notified", _("Guest notified")
    RETURNED = "returned", _("Returned")
    DISPOSED = "disposed", _("Disposed")


LOST_ITEM_OPEN = (LostItemStatus.STORED, LostItemStatus.MATCHED, LostItemStatus.NOTIFIED)
