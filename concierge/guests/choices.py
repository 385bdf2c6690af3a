from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class GuestStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    LOST = "lost", _("Lost")
    UNSUITABLE = "unsuitable", _("Unsuitable")
    ERASED = "erased", _("Erased")  # personal data wiped on request or by retention; stays kept anonymously


class SourceChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    DIRECT = "direct", _("Direct (phone/email)")
    WEBSITE = "website", _("Hotel website")
    OTA = "ota", _("Online travel agency")
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")
    CORPORATE = "corporate", _("Corporate")
    GDS = "gds", _("GDS")
    EVENT = "event", _("Trade show / event")
    REFERRAL = "referral", _("Referral")
    WECHAT = "wechat", _("WeChat")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class DocumentType(models.TextChoices):
    CN_RESIDENT_ID = "cn_id", _("PRC resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hkm_permit", _("Mainland travel permit (HK/Macau)")
    TAIWAN_PERMIT = "tw_permit", _("Mainland travel permit (Taiwan)")
    FOREIGN_RESIDENT = "foreign_res", _("Foreign permanent resident ID")
    OTHER = "other", _("Other")


class PreferenceCategory(models.TextChoices):
    FLOOR = "floor", _("Room floor")
    VIEW = "view", _("View")
    BED = "bed", _("Bed")
    PILLOW = "pillow", _("Pillow")
    SMOKING = "smoking", _("Smoking")
    MINIBAR = "minibar", _("Minibar")
    NEWSPAPER = "newspaper", _("Newspaper")
    BREAKFAST = "breakfast", _("Breakfast")
    DIET = "diet", _("Diet")
    LAUNDRY = "laundry", _("Laundry")
    OTHER = "other", _("Other")


class PreferenceSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    STAY = "stay", _("Stay")
    SURVEY = "survey", _("Survey")
    GUEST = "guest", _("Guest")
    IMPORT = "import", _("Import")


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertCategory(models.TextChoices):
    ALLERGY = "allergy", _("Allergy")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    VIP = "vip", _("VIP handling")
    SERVICE = "service", _("Service")
    COMPLAINT = "complaint", _("Complaint follow-up")
    OTHER = "other", _("Other")


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class CompanyStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    LOST = "lost", _("Lost")
    UNSUITABLE = "unsuitable", _("Unsuitable")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash / card at checkout")
    CITY_LEDGER = "city_ledger", _("City ledger (credit account)")
    PREPAID = "prepaid", _("Prepaid")
    VOUCHER = "voucher", _("Voucher")
    OTHER = "other", _("Other")


class SearchKeyKind(models.TextChoices):
    HANZI = "hanzi", _("Chinese name")
    NAME = "name", _("Name (pinyin / Latin)")
    INITIALS = "initials", _("Initials")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    COMPANY = "company", _("Company")
