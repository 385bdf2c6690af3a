"""Fixtures for import tests: a system actor (shell imports) and helpers to run imports."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from concierge.imports.importers.base import ImportSummary


@pytest.fixture
def run_import(db: Any) -> Callable[..., ImportSummary]:
    """import_run with a shell actor (None) unless one is given."""
    from concierge.imports.services import import_run

    def run(kind: str, data: bytes, *, file_name: str = "data.csv", **options: Any) -> ImportSummary:
        options.setdefault("actor", None)
        return import_run(kind=kind, file=data, file_name=file_name, **options)

    return run


@pytest.fixture(autouse=True)
def import_work_dir(settings: Any, tmp_path: Any) -> Any:
    """Uploads and progress files of the tests go to a temporary directory."""
    settings.IMPORT_WORK_DIR = tmp_path / "imports"
    return settings.IMPORT_WORK_DIR
