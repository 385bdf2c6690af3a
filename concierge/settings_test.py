"""Test settings: the real settings with fixed test secrets (set before import)."""
import os

os.environ.setdefault("CONCIERGE_TESTING", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("CONCIERGE_FIELD_KEYS", "7Y5cH3b3XGxN0x2yZ6qM1uY0m0y3n9cYwKp6pJ3q2xI=")
os.environ.setdefault("CONCIERGE_BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("CONCIERGE_BACKUP_KEY", "q0bJ7m1sWcT9yV3kE8nR2aZ5uX4hL6pD0gF1jK7oM3c=")
os.environ.setdefault("CONCIERGE_ALLOW_DEMO_LOGINS", "1")

from concierge.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A test database per pytest process, so parallel runs (developers, CI, xdist) never clobber each other.
_test_db = DATABASES["default"].setdefault("TEST", {})  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_db["NAME"] = str(VAR_DIR / f"test-concierge-{os.getpid()}.sqlite3")  # noqa: F405
else:
    _test_db["NAME"] = f"test_concierge_{os.getpid()}"
