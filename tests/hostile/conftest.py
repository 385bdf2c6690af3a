"""The browser fixtures of tests/browser (Debian Chromium through Playwright), shared with the hostile-input tests,
and the list of API operations whose documented 400 responses schemathesis still finds incomplete."""
import pytest

from tests.browser.conftest import browser, page  # noqa: F401

# What schemathesis still finds (not fixed yet): mostly a 400 `validation_error` whose (attr, code) pair is not in the
# documented enum (services raise codes the serializers do not declare; each needs `extend_validation_errors(...)` on
# the view in its app). Marked xfail (not strict: generation is random) so new failures stand out; listed in
# docs/security.md. Remove an entry once fixed.
KNOWN_SCHEMA_GAPS = {
    "POST /api/v1/auth/token/": "429 locked_out (django-axes) not in the documented 429 enum (only throttled)",
    "POST /api/v1/campaigns/": "channel: invalid",
    "POST /api/v1/cases/": "property: required (new check: a group-wide user naming no property got a 500 before)",
    "POST /api/v1/companies/": "industry: does_not_exist",
    "GET /api/v1/contacts/": "500 on SQLite only: an integer filter above 2**63 (OverflowError in the SQLite driver)",
    "POST /api/v1/contracts/": "commission_percent: invalid",
    "POST /api/v1/guests/": "company/owner/property: incorrect_type (multipart 'null'), tags.N: max_length",
    "GET /api/v1/guests/lookup/": "id_number: null_characters_not_allowed",
    "POST /api/v1/handovers/": "from_user: does_not_exist",
    "POST /api/v1/lost-items/": "property: required",
    "POST /api/v1/messaging/preview/": "guest: does_not_exist",
    "GET /api/v1/screen-pop/": "phone: blank",
    "GET /api/v1/timeline/": "guest: min_value",
    "POST /api/v1/timeline/": "guest: required",
    "POST /api/v1/tours/products/": "code: unique",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        operation = item.name.partition("[")[2].rstrip("]")
        if item.module.__name__.endswith("test_api_schemathesis") and operation in KNOWN_SCHEMA_GAPS:
            item.add_marker(pytest.mark.xfail(reason=f"undocumented 400: {KNOWN_SCHEMA_GAPS[operation]}",
                                              strict=False))
