"""Guest profiles (people), companies (accounts) and contacts, with preferences, alerts and consent.

Guest data is only read through `Guest.objects.visible_to(user)` and the sibling helpers in
`concierge.guests.scoping`, which apply property scoping in one place.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from concierge.core.fields import EncryptedTextField
from concierge.core.querysets import ScopedQuerySet
from concierge.guests.choices import (
    AlertCategory,
    AlertSeverity,
    CompanyStatus,
    ConsentChannel,
    DocumentType,
    Gender,
    GuestStatus,
    Language,
    PaymentMethod,
    PreferenceCategory,
    PreferenceSource,
    SearchKeyKind,
    SourceChannel,
)


class Tag(models.Model):
    """A free label on guests and companies ("VIP", "golf", "trade show 2026")."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """Managed list of industries (mining, real estate, logistics, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class GuestQuerySet(ScopedQuerySet):
    def live(self) -> "GuestQuerySet":
        """Guests that are not merged tombstones."""
        return self.filter(merged_into__isnull=True)


class Guest(models.Model):
    """A person who stays, might stay, or is a contact: one profile per person across the group."""

    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin)"), max_length=100, blank=True)
    given_name_latin = models.CharField(_("given name (Latin)"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True, default="")
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text=_("ISO country code"))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)

    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True, help_text=_("E.164"))
    email = models.EmailField(_("email"), blank=True)
    address_1 = models.CharField(_("address"), max_length=200, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True, db_index=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    company = models.ForeignKey(
        "guests.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="guests",
        verbose_name=_("company"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="guests", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=12, choices=GuestStatus.choices, default=GuestStatus.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    tier = models.CharField(_("tier"), max_length=30, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_guests",
        verbose_name=_("account manager"),
    )
    source_channel = models.CharField(
        _("source channel"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.DIRECT
    )
    properties = models.ManyToManyField(
        "properties.Property", through="GuestProperty", related_name="guests", verbose_name=_("properties")
    )
    notes = models.TextField(_("notes"), blank=True)

    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    source = models.CharField(_("import source"), max_length=60, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from",
        verbose_name=_("merged into"),
    )

    last_stay_on = models.DateField(_("last stay"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True,
                                     help_text=_("Personal data wiped (on request or by the retention rule)."))
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter.")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["last_stay_on", "updated_at"])
    objects = GuestQuerySet.as_manager()

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["email"], name="guest_email"),
            models.Index(fields=["status"], name="guest_status"),
            models.Index(fields=["owner"], name="guest_owner"),
            models.Index(fields=["birthday"], name="guest_birthday"),
            models.Index(fields=["source", "external_ref"], name="guest_external_ref"),
            models.Index(fields=["-last_stay_on"], name="guest_last_stay"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def native_name(self) -> str:
        """Name in native script: CJK names run family+given without a space, others with one."""
        from concierge.guests.names import has_cjk

        if has_cjk(self.family_name + self.given_name):
            return f"{self.family_name}{self.given_name}"
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def latin_name(self) -> str:
        return " ".join(p for p in (self.family_name_latin.upper(), self.given_name_latin.title()) if p)

    @property
    def display_name(self) -> str:
        return self.native_name or self.latin_name or f"#{self.pk}"

    @property
    def is_unsuitable(self) -> bool:
        return self.status == GuestStatus.UNSUITABLE


class GuestProperty(models.Model):
    """Links a guest to a property that holds data about them (created there, or stayed there)."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="property_links")
    property = models.ForeignKey("properties.Property", on_delete=models.CASCADE, related_name="guest_links")
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guest", "property"], name="guestproperty_unique")]
        indexes = [models.Index(fields=["property", "guest"], name="guestproperty_prop_guest")]


class IdentityDocument(models.Model):
    """An ID document. The number is encrypted at rest, found by a keyed hash, shown masked."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=12, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"))
    number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    number_masked = models.CharField(_("number"), max_length=40, editable=False)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["number"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ID document")
        verbose_name_plural = _("ID documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number_masked}"


class ContactPoint(models.Model):
    """An additional phone (E.164) or email of a guest, beside the primary ones on the profile."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(max_length=254)
    label = models.CharField(max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guest", "kind", "value"], name="contactpoint_unique")]

    def __str__(self) -> str:
        return self.value


class Preference(models.Model):
    """A structured preference: category + value (+ note), where it came from and when."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="preferences")
    category = models.CharField(_("category"), max_length=12, choices=PreferenceCategory.choices)
    value = models.CharField(_("value"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=PreferenceSource.choices, default="staff")
    stay = models.ForeignKey(
        "stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="preferences"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["category", "-recorded_at"]
        indexes = [models.Index(fields=["guest", "is_active"], name="preference_guest_active")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.value}"


class Alert(models.Model):
    """Something staff must know at check-in: allergies, accessibility, VIP handling, service notes."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="alerts")
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices, default="warning")
    category = models.CharField(_("category"), max_length=16, choices=AlertCategory.choices, default="other")
    text = models.CharField(_("text"), max_length=500)
    stay = models.ForeignKey("stays.Stay", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["guest", "is_active"], name="alert_guest_active")]

    def __str__(self) -> str:
        return self.text

    @property
    def severity_rank(self) -> int:
        return {AlertSeverity.CRITICAL: 0, AlertSeverity.WARNING: 1}.get(self.severity, 2)


class ConsentRecord(models.Model):
    """One consent decision per channel. History is kept: the newest row per channel is in force."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("date"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["guest", "channel", "-recorded_at"], name="consent_guest_channel")]

    def __str__(self) -> str:
        return f"{self.channel}={self.granted}"


class Company(models.Model):
    """A company account: corporate client, travel agency, government unit."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    account_number = models.CharField(_("front-desk account no."), max_length=40, blank=True, db_index=True)
    industry = models.ForeignKey(
        Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="companies", verbose_name=_("industry")
    )
    country = models.CharField(_("country"), max_length=2, blank=True, default="CN")
    province = models.CharField(_("province / state"), max_length=100, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=SourceChannel.choices, default="corporate")
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    fax = models.CharField(_("fax"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    homepage = models.URLField(_("homepage"), blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    contact_frequency_days = models.PositiveSmallIntegerField(
        _("agreed contact frequency (days)"), null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=CompanyStatus.choices, default="active")
    status_reason = models.CharField(_("status / lost reason"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_companies",
        verbose_name=_("account manager"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries",
        verbose_name=_("parent company"),
    )
    properties = models.ManyToManyField(
        "properties.Property", blank=True, related_name="companies", verbose_name=_("properties")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies", verbose_name=_("tags"))
    notes = models.TextField(_("notes"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    source = models.CharField(_("import source"), max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_zh", "name_en", "id"]
        indexes = [
            models.Index(fields=["status"], name="company_status"),
            models.Index(fields=["owner"], name="company_owner"),
        ]

    def __str__(self) -> str:
        zh = (get_language() or "").startswith("zh")
        return (self.name_zh if zh else self.name_en) or self.name_zh or self.name_en or f"#{self.pk}"


class Contact(models.Model):
    """A person at a company (booker, travel manager, decision maker). May also be a guest."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("company"))
    guest = models.ForeignKey(
        Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_roles", verbose_name=_("guest")
    )
    name = models.CharField(_("name"), max_length=120)
    name_latin = models.CharField(_("name (Latin)"), max_length=120, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter; +1 on every change.")

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["company_id", "name"]

    def __str__(self) -> str:
        return self.name


class SearchKey(models.Model):
    """Normalised look-up keys for check-in recognition (pinyin, initials, hanzi, phone digits, email).

    Every key is lower-case ASCII or simplified hanzi without spaces, so a prefix look-up on one
    b-tree index answers "zw", "zhang wei", "Wei Zhang", "张伟" and "138 1234 5678" alike.
    """

    kind = models.CharField(max_length=10, choices=SearchKeyKind.choices)
    key = models.CharField(max_length=120)
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="search_keys")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="search_keys"
    )
    # Recency of the subject (YYYYMMDD of the last stay, 0 if none): exact matches come most recent first.
    rank_hint = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key", "-rank_hint"], name="searchkey_exact_rank"),
            # varchar_pattern_ops (PostgreSQL only; ignored elsewhere) lets LIKE 'prefix%' use the index.
            models.Index(
                fields=["kind", "key"], name="searchkey_kind_key", opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
