"""The browser fixtures of tests/browser (Debian Chromium through Playwright), shared with the hostile-input tests,
and the list of API operations whose documented 400 responses schemathesis still finds incomplete."""
import pytest

from tests.browser.conftest import browser, page  # noqa: F401

# API operations whose answers schemathesis still finds undocumented, as {"METHOD /path/": "what it found"}: marked
# xfail (not strict) so a known gap does not hide new failures. Empty since issue 9 (every gap was fixed at its root:
# see docs/security.md, "What the hostile-input runs found"); add an entry only with an issue to fix it.
KNOWN_SCHEMA_GAPS: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        operation = item.name.partition("[")[2].rstrip("]")
        if item.module.__name__.endswith("test_api_schemathesis") and operation in KNOWN_SCHEMA_GAPS:
            item.add_marker(pytest.mark.xfail(reason=f"undocumented 400: {KNOWN_SCHEMA_GAPS[operation]}",
                                              strict=False))
