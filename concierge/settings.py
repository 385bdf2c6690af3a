"""Concierge settings: one env-driven module. Secrets come only from the environment.

Every value can be set with an environment variable (or a `.env` file next to manage.py).
Development (`make run`) sets DJANGO_DEBUG=1; production must set DJANGO_SECRET_KEY,
CONCIERGE_FIELD_KEYS and CONCIERGE_BLIND_INDEX_KEY or start-up fails loudly.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
TESTING = env.bool("CONCIERGE_TESTING", default=False)


def _dev_secrets() -> dict[str, str]:
    """Development-only secrets, generated once into var/dev-secrets.json (never used when DEBUG is off)."""
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "dev-secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    wanted = {
        "secret_key": lambda: secrets.token_urlsafe(50),
        "field_keys": lambda: Fernet.generate_key().decode(),
        "blind_index_key": lambda: secrets.token_urlsafe(32),
        "backup_key": lambda: Fernet.generate_key().decode(),
    }
    missing = [name for name in wanted if name not in values]
    if not missing:
        return values
    for name in missing:
        values[name] = wanted[name]()
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def _secret(name: str, dev_key: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG or TESTING:
        return _dev_secrets()[dev_key]
    raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG is off.")


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "secret_key")
# Fernet keys for encrypted fields, comma-separated. The first key encrypts; all keys decrypt (rotation).
FIELD_ENCRYPTION_KEYS = [k.strip() for k in _secret("CONCIERGE_FIELD_KEYS", "field_keys").split(",") if k.strip()]
# Key for the HMAC-SHA256 blind index used to look up encrypted values (ID numbers) exactly.
BLIND_INDEX_KEY = _secret("CONCIERGE_BLIND_INDEX_KEY", "blind_index_key")
# Key of the encrypted backup archives (`manage.py backup` / `restore`): 32 url-safe base64 bytes (a Fernet key).
# Retention of inactive profiles: anonymised (never deleted) after this many months without a stay or a change;
# 0 switches the nightly sweep off.
PRIVACY_RETENTION_MONTHS = env.int("PRIVACY_RETENTION_MONTHS", default=0)
# Optional at start-up in production (only `backup` / `restore` need it, and refuse to run without it).
BACKUP_ENCRYPTION_KEY = env.str("CONCIERGE_BACKUP_KEY", default="") or (
    _dev_secrets()["backup_key"] if DEBUG or TESTING else "")

# Demo accounts (admin, frontdesk, ...) share a published password: refused unless explicitly allowed.
DEMO_LOGINS_ALLOWED = env.bool("CONCIERGE_ALLOW_DEMO_LOGINS", default=DEBUG)
DEMO_USERNAMES = ("admin", "frontdesk", "service", "sales", "marketing", "manager")

# Absolute address of this installation, for links in emails (survey invitations, case updates).
CONCIERGE_BASE_URL = env.str("CONCIERGE_BASE_URL", default="http://127.0.0.1:8000")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_standardized_errors",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "concierge.core",
    "concierge.accounts",
    "concierge.properties",
    "concierge.guests",
    "concierge.stays",
    "concierge.dedupe",
    "concierge.imports",
    "concierge.cases",
    "concierge.surveys",
    "concierge.analytics",
    "concierge.clv",
    "concierge.segments",
    "concierge.recommendations",
    "concierge.dashboards",
    "concierge.loyalty",
    "concierge.messaging",
    "concierge.worklist",
    "concierge.campaigns",
    "concierge.journeys",
    "concierge.attribution",
    "concierge.sales",
    "concierge.pipeline",
    "concierge.contracts",
    "concierge.tours",
    "concierge.privacy",
    "concierge.api",
    "concierge.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "concierge.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "concierge.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page / 429
]

ROOT_URLCONF = "concierge.urls"
WSGI_APPLICATION = "concierge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concierge" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "concierge.web.context_processors.navigation",
                "concierge.core.security.csp_nonce",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'concierge.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A Celery worker writes beside the web process: WAL + IMMEDIATE avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    # A file (not :memory:) so a real Celery worker in the tests can open the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-concierge.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "concierge.accounts.backends.LockoutBackend",  # django-axes, first: a locked-out username is refused early
    "concierge.accounts.backends.ConciergeModelBackend",
]
# Failed-login lockout (django-axes): 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "concierge.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Two-factor sign-in (TOTP, django-otp) for these roles (and superusers): enrol at the first sign-in, then a code at
# every sign-in. On by default in production; off for `make run` (DEBUG) and tests unless CONCIERGE_REQUIRE_2FA=1.
TWO_FACTOR_ROLES = ("admin", "manager")
TWO_FACTOR_REQUIRED = env.bool("CONCIERGE_REQUIRE_2FA", default=not (DEBUG or TESTING))
OTP_TOTP_ISSUER = "Concierge"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True

# Transport and browser hardening (docs/security.md). Production (DEBUG off) defaults to HTTPS-only: HSTS for a year,
# HTTP redirected to HTTPS, cookies sent over HTTPS only. Behind a TLS-terminating proxy set
# DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (only if the proxy always sets/overwrites that header).
_HTTPS = not (DEBUG or TESTING)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=_HTTPS)  # consent only; listing is manual
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
_proxy_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=_HTTPS)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_HTTPONLY = True  # the templates read the token from {{ csrf_token }}, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (concierge.core.security): CSP_REPORT_ONLY=1 sends it as Report-Only while trying it out.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
CSP_REPORT_URI = env.str("CSP_REPORT_URI", default="")
# Request and upload limits: form/JSON bodies (files excluded) up to 5 MB, uploads above 2.5 MB spill to a temporary
# file; the import paths (guests, leads) check size and type themselves (concierge.core.security.validate_upload).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=int(2.5 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=2000)

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "concierge" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
# Figures in Chinese are grouped by thousands with a comma (concierge/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["concierge.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "concierge" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

DEFAULT_PHONE_REGION = env.str("CONCIERGE_PHONE_REGION", default="CN")

# drf-standardized-errors formats every API error; ours also answers a lost database connection with 503.
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "concierge.api.outage.OutageAwareExceptionHandler"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "concierge.api.authentication.ConciergeTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "concierge.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["concierge.api.filtering.BoundedFilterBackend"],  # DjangoFilterBackend, bounded ints
    "DEFAULT_SCHEMA_CLASS": "concierge.api.schema.AutoSchema",  # drf-standardized-errors' + query-parameter errors
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_METADATA_CLASS": "concierge.core.security.SchemaOnlyMetadata",
    # Throttling: anonymous clients by address, signed-in ones by user; the token endpoint has its own stricter scope.
    # (The test suite shares one in-memory cache across tests, so its defaults are loose; tests of throttling set rates.)
    "DEFAULT_THROTTLE_CLASSES": [
        "concierge.core.security.AnonThrottle",
        "concierge.core.security.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="100000/minute" if TESTING else "60/minute"),
        "user": env.str("API_THROTTLE_USER", default="100000/minute" if TESTING else "1200/minute"),
        "auth_token": env.str("API_THROTTLE_AUTH_TOKEN", default="100000/minute" if TESTING else "10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concierge API",
    "DESCRIPTION": "Hotel CRM: guests, companies, stays, preferences, alerts, timeline, check-in recognition.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "concierge.core.security.document_query_validation_errors",
        "concierge.api.schema.document_nested_error_attrs",
    ],
}

# Celery: SQLite-file broker by default (no server needed), Redis when CELERY_BROKER_URL says so.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
# One queue per deployment by default; the real-worker tests give each test its own queue on the shared broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Lifetime value: annual rate used to discount expected future stays (monthly rate = (1 + rate)^(1/12) - 1).
CLV_ANNUAL_DISCOUNT_RATE = env.float("CLV_ANNUAL_DISCOUNT_RATE", default=0.10)
# The beat schedule is static: a few dispatcher tasks. Schedules users edit live in our own tables.
CELERY_BEAT_SCHEDULE = {
    "refresh-guest-statistics-nightly": {
        "task": "concierge.stays.tasks.refresh_guest_statistics",
        "schedule": crontab(hour=3, minute=15),
    },
    "sla-sweep-every-minute": {
        "task": "concierge.cases.tasks.sla_sweep",
        "schedule": crontab(),
    },
    "surveys-dispatch-every-5-minutes": {
        "task": "concierge.surveys.tasks.dispatch",
        "schedule": crontab(minute="*/5"),
    },
    "customer-value-refresh-nightly": {
        "task": "concierge.analytics.tasks.refresh_customer_value",
        "schedule": crontab(hour=3, minute=45),
    },
    "dashboards-refresh-nightly": {
        "task": "concierge.dashboards.tasks.refresh_dashboards",
        "schedule": crontab(hour=1, minute=50),
    },
    "dashboards-refresh-current-year-hourly": {
        "task": "concierge.dashboards.tasks.refresh_dashboards",
        "schedule": crontab(minute=7),
        "kwargs": {"current_year_only": True},
    },
    "clv-fit-models-nightly": {
        "task": "concierge.clv.tasks.fit_clv_models",
        "schedule": crontab(hour=4, minute=20),
    },
    "loyalty-reconcile-stays-nightly": {
        "task": "concierge.loyalty.tasks.reconcile_stays",
        "schedule": crontab(hour=2, minute=10),
    },
    "loyalty-expire-points-nightly": {
        "task": "concierge.loyalty.tasks.expire_points",
        "schedule": crontab(hour=2, minute=40),
    },
    "loyalty-evaluate-tiers-nightly": {
        "task": "concierge.loyalty.tasks.evaluate_tiers",
        "schedule": crontab(hour=3, minute=0),
    },
    "journeys-evaluate-every-10-minutes": {
        "task": "concierge.journeys.tasks.evaluate_journeys",
        "schedule": crontab(minute="*/10"),
    },
    "contracts-daily-run": {
        "task": "concierge.contracts.tasks.daily_run",
        "schedule": crontab(hour=0, minute=20),
    },
    "privacy-retention-sweep-nightly": {
        "task": "concierge.privacy.tasks.retention_sweep",
        "schedule": crontab(hour=4, minute=50),
    },
    "messaging-send-queued-every-minute": {
        "task": "concierge.messaging.tasks.send_queued",
        "schedule": crontab(),
    },
    "campaigns-dispatch-every-minute": {
        "task": "concierge.campaigns.tasks.dispatch",
        "schedule": crontab(),
    },
    "sales-contact-reminders-nightly": {
        "task": "concierge.sales.tasks.contact_reminders",
        "schedule": crontab(hour=5, minute=30),
    },
    "attribution-refresh-nightly": {"task": "concierge.attribution.tasks.refresh_attribution",
                                    "schedule": crontab(hour=4, minute=5)},
    "recommendations-refresh-product-rules-nightly": {
        "task": "concierge.recommendations.tasks.refresh_product_rules",
        "schedule": crontab(hour=3, minute=40),
    },
}

# Product association rules ("guests who took X also took Y"): thresholds of the nightly refresh and the
# basket kinds it mines group-wide ("stay", "guest"); the guest card offers from the "guest" rules.
RECOMMENDATIONS = {
    "MIN_SUPPORT": env.float("RECOMMENDATIONS_MIN_SUPPORT", default=0.005),
    "MIN_CONFIDENCE": env.float("RECOMMENDATIONS_MIN_CONFIDENCE", default=0.1),
    "MAX_LEN": env.int("RECOMMENDATIONS_MAX_LEN", default=2),  # pairs: "took X → also took Y"
    "SCOPES": env.list("RECOMMENDATIONS_SCOPES", default=["stay", "guest"]),
}
if not (0 < RECOMMENDATIONS["MIN_SUPPORT"] <= 1 and 0 <= RECOMMENDATIONS["MIN_CONFIDENCE"] <= 1):
    raise ImproperlyConfigured("RECOMMENDATIONS_MIN_SUPPORT must be in (0, 1], RECOMMENDATIONS_MIN_CONFIDENCE in [0, 1]")
if not set(RECOMMENDATIONS["SCOPES"]) <= {"stay", "guest"}:
    raise ImproperlyConfigured("RECOMMENDATIONS_SCOPES lists basket kinds: stay, guest.")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="concierge@localhost")

# Messaging (docs/messaging.md): SMS and WeChat template messages go to a provider gateway over HTTP (JSON contract
# in concierge/messaging/channels/http.py). Empty URL = channel not configured (messages fail with not_configured).
MESSAGING_SMS_URL = env.str("MESSAGING_SMS_URL", default="")
MESSAGING_SMS_KEY = env.str("MESSAGING_SMS_KEY", default="")
MESSAGING_WECHAT_URL = env.str("MESSAGING_WECHAT_URL", default="")
MESSAGING_WECHAT_KEY = env.str("MESSAGING_WECHAT_KEY", default="")
MESSAGING_HTTP_TIMEOUT = env.float("MESSAGING_HTTP_TIMEOUT", default=10.0)
MESSAGING_HTTP_RETRIES = env.int("MESSAGING_HTTP_RETRIES", default=2)
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=5)
MESSAGING_BATCH_SIZE = env.int("MESSAGING_BATCH_SIZE", default=200)
MESSAGING_RATE_PER_SECOND = env.float("MESSAGING_RATE_PER_SECOND", default=20.0)
# Outbox claims (messages, survey invitations): a worker renews its claim every quarter of the lease; a claim older
# than the lease belongs to a dead worker and is taken over (docs/messaging.md, "Killed workers").
OUTBOX_CLAIM_LEASE_SECONDS = env.int("OUTBOX_CLAIM_LEASE_SECONDS", default=120)
# Outcomes committed every N messages (1: right after each accepted message, so only the one in flight is in doubt).
MESSAGING_COMMIT_EVERY = env.int("MESSAGING_COMMIT_EVERY", default=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The loyalty ledger's covering index (balance answered from the index alone) is PostgreSQL-only; SQLite, the
# embedded demo default, ignores the INCLUDE columns and would warn on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
