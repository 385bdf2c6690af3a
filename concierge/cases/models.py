"""The service centre: cases with SLA clocks, the knowledge base and public FAQ, lost & found.

Cases, lost items and knowledge-base articles belong to a property and are scoped by it
(`scope_property_field`, read by `concierge.guests.scoping`): an agent sees the cases of the hotels they
work at, whoever the guest is. Knowledge-base articles without a property are shared by the whole group.
"""
from __future__ import annotations

import builtins
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concierge.cases.choices import (
    LOOP_OK,
    LOST_ITEM_OPEN,
    OPEN_STATUSES,
    ArticleStatus,
    CaseChannel,
    CaseStatus,
    CaseType,
    CompensationType,
    Department,
    EventKind,
    GuestToldVia,
    LoopStep,
    LostItemCategory,
    LostItemStatus,
    Priority,
    Severity,
)
from concierge.cases.search import TokenListField
from concierge.core.querysets import ScopedQuerySet
from concierge.guests.choices import Language

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _localized(obj: models.Model, zh: str, en: str) -> str:
    """`zh` in a Chinese UI, `en` otherwise, falling back to whichever is filled in."""
    first, second = (zh, en) if (get_language() or "").startswith("zh") else (en, zh)
    return getattr(obj, first) or getattr(obj, second)


# --- configuration -------------------------------------------------------------------------------------------


class RootCause(models.Model):
    """Managed list of complaint root causes ("room noise", "air conditioning"), with the next-stay action."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    next_stay_action_zh = models.CharField(_("next-stay action (Chinese)"), max_length=200, blank=True)
    next_stay_action_en = models.CharField(_("next-stay action (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return _localized(self, "name_zh", "name_en")

    @property
    def next_stay_action(self) -> str:
        return _localized(self, "next_stay_action_zh", "next_stay_action_en")


def default_weekly_hours() -> dict[str, list[list[str]]]:
    """Service desk hours when a property has set none: every day 08:00–22:00 local time."""
    return {day: [["08:00", "22:00"]] for day in WEEKDAYS}


def _parse_hhmm(value: str) -> dt.time:
    hours, minutes = str(value).split(":")
    hour, minute = int(hours), int(minutes)
    if hour == 24 and minute == 0:
        return dt.time.max
    return dt.time(hour, minute)


class BusinessHours(models.Model):
    """When a property's service team works: SLA clocks only run inside these hours (property time zone).

    `weekly` maps mon..sun to a list of ["HH:MM", "HH:MM"] intervals ("24:00" closes at midnight);
    `holidays` lists ISO dates on which the clock does not run at all.
    """

    property = models.OneToOneField(
        "properties.Property", on_delete=models.CASCADE, related_name="business_hours", verbose_name=_("property")
    )
    weekly = models.JSONField(_("weekly hours"), default=default_weekly_hours)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return str(self.property)

    def clean(self) -> None:
        if not isinstance(self.weekly, dict) or set(self.weekly) - set(WEEKDAYS):
            raise ValidationError({"weekly": _("Use the keys mon, tue, wed, thu, fri, sat, sun.")})
        total = 0
        for day, intervals in self.weekly.items():
            try:
                for start, end in intervals:
                    if _parse_hhmm(start) >= _parse_hhmm(end):
                        raise ValueError
                    total += 1
            except (TypeError, ValueError) as exc:
                raise ValidationError(
                    {"weekly": _("Hours for %(day)s must be [\"HH:MM\", \"HH:MM\"] pairs, start before end.")
                     % {"day": day}}
                ) from exc
        if not total:
            raise ValidationError({"weekly": _("Open at least one interval a week, or the SLA clock never runs.")})
        try:
            [dt.date.fromisoformat(str(day)) for day in self.holidays or []]
        except ValueError as exc:
            raise ValidationError({"holidays": _("Holidays are dates like 2026-10-01.")}) from exc

    def intervals(self) -> dict[int, list[tuple[dt.time, dt.time]]]:
        """Weekday number (Monday 0) → sorted (start, end) local times."""
        return {
            index: sorted((_parse_hhmm(s), _parse_hhmm(e)) for s, e in (self.weekly or {}).get(day, []))
            for index, day in enumerate(WEEKDAYS)
        }

    def holiday_dates(self) -> frozenset[dt.date]:
        return frozenset(dt.date.fromisoformat(str(day)) for day in self.holidays or [])


class SlaPolicy(models.Model):
    """First-response and resolution targets, in business minutes, for a case type and priority.

    A policy with a property overrides the group-wide one (property empty) for that hotel.
    """

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policies",
        verbose_name=_("property"), help_text=_("Empty: the group-wide default."),
    )
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["case_type", "priority", "property_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "case_type", "priority"], name="slapolicy_unique_property",
                condition=Q(property__isnull=False),
                violation_error_message=_("This property already has a policy for this type and priority."),
            ),
            models.UniqueConstraint(
                fields=["case_type", "priority"], name="slapolicy_unique_default", condition=Q(property__isnull=True),
                violation_error_message=_("There is already a group-wide policy for this type and priority."),
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="slapolicy_resolution_after_response",
                violation_error_message=_("The resolution target cannot be shorter than the first-response target."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()} / {self.get_priority_display()}"


class DepartmentHead(models.Model):
    """Who a breached case of a department at a property is escalated to."""

    property = models.ForeignKey(
        "properties.Property", on_delete=models.CASCADE, related_name="department_heads", verbose_name=_("property")
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="headed_departments",
        verbose_name=_("department head"),
    )

    class Meta:
        verbose_name = _("department head")
        verbose_name_plural = _("department heads")
        ordering = ["property_id", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "department"], name="departmenthead_unique",
                violation_error_message=_("This department already has a head at this property."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.property.code} {self.get_department_display()}: {self.user}"


# --- cases ---------------------------------------------------------------------------------------------------


class CaseQuerySet(ScopedQuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def breached(self) -> CaseQuerySet:
        return self.filter(Q(response_breached=True) | Q(resolution_breached=True))


class Case(models.Model):
    """A complaint, inquiry, request, lost-item report or compliment, worked through a status workflow.

    Due times are computed from the SLA policy and the property's business hours when the case is opened
    (and again when its type or priority changes, or it is reopened) and stored, so the breach sweep is a
    plain indexed comparison with the current time.
    """

    scope_property_field = "property"

    property = models.ForeignKey(
        "properties.Property", on_delete=models.PROTECT, related_name="cases", verbose_name=_("property")
    )
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType.choices, default=CaseType.COMPLAINT)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, default=Department.FRONT_OFFICE
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.PHONE)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("guest")
    )
    company = models.ForeignKey(
        "guests.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("company"),
    )
    stay = models.ForeignKey(
        "stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases",
        verbose_name=_("stay"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cases",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # SLA: targets (business minutes) copied from the policy, due times, what happened and when.
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("SLA policy")
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("time to first response (business min.)"), null=True,
                                                         blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("time to resolve (business min.)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True, editable=False)
    paused_minutes = models.PositiveIntegerField(_("paused (business min.)"), default=0)
    response_breached = models.BooleanField(_("first response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    response_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalated_cases",
        verbose_name=_("escalated to"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)

    # Outcome.
    resolution = models.TextField(_("resolution"), blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("root cause")
    )
    compensation_type = models.CharField(
        _("compensation"), max_length=12, choices=CompensationType.choices, blank=True, default=CompensationType.NONE
    )
    compensation_amount = models.DecimalField(
        _("compensation amount"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    compensation_currency = models.CharField(_("currency"), max_length=3, default="CNY")

    # The closed complaint loop (see services.case_resolve), one state per step.
    guest_told_via = models.CharField(_("guest told via"), max_length=10, choices=GuestToldVia.choices, blank=True)
    loop_guest = models.CharField(_("guest told"), max_length=8, choices=LoopStep.choices, blank=True)
    loop_manager = models.CharField(_("account manager notified"), max_length=8, choices=LoopStep.choices,
                                    blank=True)
    loop_alert = models.CharField(_("next-stay alert"), max_length=8, choices=LoopStep.choices, blank=True)
    loop_followup = models.CharField(_("follow-up survey"), max_length=8, choices=LoopStep.choices, blank=True)
    next_stay_alert = models.ForeignKey(
        "guests.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("next-stay alert"),
    )
    kb_article = models.ForeignKey(
        "cases.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="promoted_from",
        verbose_name=_("knowledge-base article"),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["property", "status", "-created_at"], name="case_property_status"),
            models.Index(fields=["guest", "status"], name="case_guest_status"),
            models.Index(fields=["company", "status"], name="case_company_status"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["-created_at"], name="case_created"),
            # The SLA sweep's three questions, each answered from a small partial index of open cases only.
            models.Index(
                fields=["first_response_due_at"], name="case_sweep_response",
                condition=Q(first_responded_at__isnull=True, response_escalated_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_due_at"], name="case_sweep_resolution",
                condition=Q(resolved_at__isnull=True, resolution_escalated_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_due_at"], name="case_sweep_due_soon",
                condition=Q(resolved_at__isnull=True, due_soon_notified_at__isnull=True),
            ),
            models.Index(
                fields=["property", "-created_at"], name="case_breached",
                condition=Q(response_breached=True) | Q(resolution_breached=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_amount__gte=0), name="case_compensation_not_negative",
                violation_error_message=_("Compensation cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @builtins.property  # `property` is a field name in this class body
    def reference(self) -> str:
        """Human case number, e.g. SHA-000123 (the property code is cached by select_related)."""
        code = self.property.code if self.property_id else "?"
        return f"{code}-{self.pk or 0:06d}"

    @builtins.property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @builtins.property
    def is_breached(self) -> bool:
        return self.response_breached or self.resolution_breached

    @builtins.property
    def loop_closed(self) -> bool:
        """Guest told, and every other step of the closed loop done or not applicable."""
        return (
            self.loop_guest == LoopStep.DONE
            and all(step in LOOP_OK for step in (self.loop_manager, self.loop_alert, self.loop_followup))
        )

    def anonymize(self) -> None:
        """Erase personal free text (description, resolution) while keeping the statistics of the case."""
        self.description = ""
        self.resolution = ""
        self.subject = str(_("(erased)"))
        self.save(update_fields=["description", "resolution", "subject", "updated_at"])
        self.events.update(note="", data={})


class CaseEvent(models.Model):
    """One entry of a case's own history: created, assigned, status change, response, escalation, loop step."""

    scope_property_field = "case__property"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="caseevent_case_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @builtins.property
    def display_note(self) -> str:
        """System-written notes are stored as LocalizedText data and shown in the reader's language."""
        from concierge.core.i18n import render_stored

        return render_stored(self.data, self.note)


# --- knowledge base ------------------------------------------------------------------------------------------


class ArticleCategory(models.Model):
    """A knowledge-base / FAQ section: prices, check-in and check-out, parking, breakfast, service recovery…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    icon = models.CharField(_("icon"), max_length=40, default="bi-question-circle",
                            help_text=_("A Bootstrap icon class, e.g. bi-p-circle."))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return _localized(self, "name_zh", "name_en")


class ArticleTag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(ScopedQuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    """A knowledge-base article: one subject, a Chinese and an English version (ArticleTranslation).

    Public articles appear on the property's FAQ page without login; the others are for staff only.
    """

    scope_property_field = "property"
    scope_property_shared_when_null = True  # group-wide articles: every hotel sees them

    property = models.ForeignKey(
        "properties.Property", null=True, blank=True, on_delete=models.CASCADE, related_name="articles",
        verbose_name=_("property"), help_text=_("Empty: shared by every hotel of the group."),
    )
    category = models.ForeignKey(
        ArticleCategory, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    is_public = models.BooleanField(_("public FAQ"), default=False,
                                    help_text=_("Shown on the hotel's FAQ page, without login."))
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles",
        verbose_name=_("root cause"),
    )
    tags = models.ManyToManyField(ArticleTag, blank=True, related_name="articles", verbose_name=_("tags"))
    cases = models.ManyToManyField(Case, blank=True, related_name="articles", verbose_name=_("linked cases"))
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["category__sort_order", "-helpful_yes", "-id"]
        indexes = [
            models.Index(fields=["status", "property", "category"], name="article_status_property"),
            models.Index(fields=["status", "department"], name="article_status_department"),
            models.Index(fields=["status", "root_cause"], name="article_status_root_cause"),
            # Search results come most helpful first: PostgreSQL walks this index and stops at the page size
            # when a word is common, instead of sorting thousands of matches.
            models.Index(fields=["-helpful_yes", "-id"], name="article_helpful"),
        ]

    def __str__(self) -> str:
        translation = self.translation_for(get_language() or "en")
        return translation.title if translation else f"#{self.pk}"

    def translation_for(self, language: str) -> ArticleTranslation | None:
        """The version in `language`, else any version (uses prefetched translations when present)."""
        versions = list(self.translations.all())
        wanted = "zh-hans" if (language or "").startswith("zh") else "en"
        return next((v for v in versions if v.language == wanted), versions[0] if versions else None)


class ArticleTranslation(models.Model):
    """One language version of an article, with its search tokens (see concierge.cases.search)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    search_tokens = TokenListField()
    title_tokens = TokenListField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="articletranslation_unique",
                violation_error_message=_("This article already has a version in this language."),
            )
        ]
        # GIN indexes on search_tokens and title_tokens are created by migrations 0002/0004 on PostgreSQL only.

    def __str__(self) -> str:
        return self.title


# --- lost & found --------------------------------------------------------------------------------------------


class LostItemQuerySet(ScopedQuerySet):
    def open(self) -> LostItemQuerySet:
        return self.filter(status__in=LOST_ITEM_OPEN)


class LostItem(models.Model):
    """Something found at a property: where, when, what, where it is stored, and whose it probably is."""

    scope_property_field = "property"

    property = models.ForeignKey(
        "properties.Property", on_delete=models.PROTECT, related_name="lost_items", verbose_name=_("property")
    )
    found_on = models.DateField(_("found on"))
    room_number = models.CharField(_("room"), max_length=20, blank=True)
    found_place = models.CharField(_("found where"), max_length=120, blank=True,
                                   help_text=_("If not in a room: lobby, restaurant, gym…"))
    category = models.CharField(_("category"), max_length=12, choices=LostItemCategory.choices,
                                default=LostItemCategory.OTHER)
    description = models.CharField(_("description"), max_length=300)
    storage_location = models.CharField(_("stored at"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=LostItemStatus.choices,
                              default=LostItemStatus.STORED)
    stay = models.ForeignKey(
        "stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="lost_items",
        verbose_name=_("stay"),
    )
    guest = models.ForeignKey(
        "guests.Guest", null=True, blank=True, on_delete=models.SET_NULL, related_name="lost_items",
        verbose_name=_("guest"),
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="lost_items", verbose_name=_("case")
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("logged by"),
    )
    notified_at = models.DateTimeField(_("guest notified"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_to = models.CharField(_("returned to / how"), max_length=200, blank=True)
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    disposal_note = models.CharField(_("disposal note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    objects = LostItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("lost item")
        verbose_name_plural = _("lost & found")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["property", "status", "-found_on"], name="lostitem_property_status"),
            models.Index(fields=["guest"], name="lostitem_guest"),
        ]

    def __str__(self) -> str:
        return f"{self.found_on:%Y-%m-%d} {self.description}"

    def anonymize(self) -> None:
        self.returned_to = ""
        self.guest = None
        self.stay = None
        self.save(update_fields=["returned_to", "guest", "stay"])
