"""Writes for imports: `import_run` (the import itself) and the upload → preview → run flow of the web page.

`import_run` reads the whole file inside one transaction, in batches of `BATCH_SIZE` rows: each batch
is cleaned row by row in Python and written with a few bulk statements (see `importers/`), so 100,000
rows take seconds, not an hour of per-row service calls. A failed import — an unexpected error, or any
rejected row when the caller asked for all-or-nothing — rolls the whole transaction back, so the
database is as it was; a dry run does the same on purpose, after computing the exact result. The
`ImportBatch` row is written outside that transaction, so its status and summary survive a rollback.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import queue
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concierge.imports.choices import ImportKind, ImportStatus, IssueSeverity, MatchMode
from concierge.imports.importers import IMPORTERS
from concierge.imports.importers.base import ImportContext, ImportSummary
from concierge.imports.mapping import build_mapping
from concierge.imports.matching import review_threshold
from concierge.imports.models import ImportBatch, ImportRowIssue
from concierge.core.security import validate_upload
from concierge.imports.parsers import read_table
from concierge.imports.values import Issue, RowReader

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_EXTENSIONS = ("csv", "txt", "xlsx", "xlsm")
DEFAULT_SOURCE = "import"
STORED_ISSUES = 500  # rejected/warning entries kept in the batch's summary JSON (all are ImportRowIssue rows)

ProgressCallback = Callable[[int, int], None]


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, all-or-nothing with rejected rows)."""


def work_dir() -> Path:
    """Where uploads wait for their import and where running imports write their progress."""
    path = Path(getattr(settings, "IMPORT_WORK_DIR", settings.VAR_DIR / "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_path(batch_id: int) -> Path:
    return work_dir() / f"progress-{batch_id}.json"


class _Progress:
    """Reports progress to the caller and, for a batch, to a small file the web page polls.

    Why a file: the import holds one database transaction until it ends (all-or-nothing), so progress
    written to the ImportBatch row would stay invisible to other connections — and on SQLite a second
    writer would wait for that transaction. A file next to the uploads is visible at once.
    """

    def __init__(self, batch: ImportBatch | None, callback: ProgressCallback | None) -> None:
        self.batch = batch
        self.callback = callback
        self._last = 0.0

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        if self.callback is not None:
            self.callback(done, total)
        now = time.monotonic()
        if self.batch is None or not (force or now - self._last >= 0.5):
            return
        self._last = now
        path = _progress_path(self.batch.pk)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": max(total, done)}))
        os.replace(tmp, path)

    def clear(self) -> None:
        if self.batch is not None:
            _progress_path(self.batch.pk).unlink(missing_ok=True)


def read_progress(batch_id: int) -> dict[str, int] | None:
    try:
        return json.loads(_progress_path(batch_id).read_text())
    except (OSError, ValueError):
        return None


def _read_bytes(file: Any) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, ""
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        return path.read_bytes(), path.name
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return (data.encode("utf-8") if isinstance(data, str) else data), os.path.basename(getattr(file, "name", "") or "")


def _validate_options(*, kind: str, source: str, match: str, campaign_tag: str | None) -> None:
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose guests, companies, stays or leads.")]})
    if match not in MatchMode.values:
        raise ValidationError({"match": [_("Choose “link” or “flag”.")]})
    if not source or len(source) > 60:
        raise ValidationError({"source": [_("Give a source label of at most 60 characters.")]})
    if kind == ImportKind.LEADS and not (campaign_tag or "").strip():
        raise ValidationError({"campaign_tag": [_("Leads need a campaign tag (for example “ITB 2026”).")]})
    if campaign_tag and len(campaign_tag.strip()) > 60:
        raise ValidationError({"campaign_tag": [_("A tag has at most 60 characters.")]})


def _analyze(tables: tuple[str, ...]) -> None:
    """Fresh planner statistics for the tables an import looks up in (PostgreSQL).

    Without them a table that grew since autovacuum last looked (a big import just before) gets plans
    that scan every row of the source for each batch's `external_ref IN (...)`. ANALYZE samples a fixed
    number of rows, so this takes well under a second even on large tables.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _lock_source(source: str) -> None:
    """One import per source at a time (PostgreSQL advisory lock, released at commit/rollback).

    Two imports of one source running side by side could each decide a reference is new. SQLite needs
    nothing: its IMMEDIATE transactions already let only one writer in.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"concierge-import:{source}"])


class _RowReaderThread(threading.Thread):
    """Reads and cleans the file's rows into batches while the main thread writes the previous batch.

    Cleaning is pure Python and touches no database, and the main thread spends much of its time waiting
    for the database (COPY, look-ups, commit) with the GIL released — so on two cores the reading is mostly
    free. The database work itself stays in the caller's thread and transaction. Rejected rows go straight
    to the summary; at most two batches wait in the queue.
    """

    _DONE = object()

    def __init__(self, *, table: Any, columns: Any, importer: Any, summary: ImportSummary) -> None:
        super().__init__(name="import-reader", daemon=True)
        self.table, self.columns, self.importer, self.summary = table, columns, importer, summary
        self.language = translation.get_language()  # row messages in the caller's language
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            with translation.override(self.language):
                pending: list[Any] = []
                for number, cells in self.table.rows:
                    if self.stopped.is_set():
                        return
                    self.summary.rows_read += 1
                    reader = RowReader(number, self.columns.row_values(cells))
                    item = self.importer.read_row(reader) if reader.ok else None
                    if reader.errors or item is None:
                        self.summary.rejected.extend(reader.errors)
                        continue
                    pending.append(item)
                    if len(pending) >= BATCH_SIZE:
                        self._put(pending)
                        pending = []
                if pending:
                    self._put(pending)
            self._put(self._DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which rolls back
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def batches(self) -> Iterator[list[Any]]:
        while True:
            item = self.queue.get()
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


@contextmanager
def _fewer_gc_pauses() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while an import creates hundreds of thousands of objects.

    With the default thresholds the collector runs every 700 allocations and keeps re-scanning everything
    the process holds (the ORM's models, the rows of the current batch); on the 119,390-row benchmark that
    cost about a quarter of the run. The objects that exist before the import are frozen (never scanned)
    and the first threshold raised; both are restored afterwards. Imports create no reference cycles
    worth collecting early.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, max(old[1], 20), max(old[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def import_run(
    *,
    actor: Any,
    kind: str,
    file: Any,
    source: str = DEFAULT_SOURCE,
    match: str = MatchMode.LINK,
    create_properties: bool = False,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    campaign_tag: str | None = None,
    progress: ProgressCallback | None = None,
    property: Any = None,  # noqa: A002 - the property that holds imported profiles
    all_or_nothing: bool = False,
    file_name: str = "",
    batch: ImportBatch | None = None,
) -> ImportSummary:
    """Import a CSV/XLSX file of guests, companies, stays or leads; returns what happened.

    `file` is a path, bytes or a file object. `mapping` overrides the header mapping ({file header:
    canonical field or ""}). `actor` None is a shell import (sees every property); a user is scoped
    to their properties. Raises ValidationError only for bad options; problems with the file or its
    rows are reported in the summary (status "failed" when nothing could be imported).
    """
    source = (source or DEFAULT_SOURCE).strip()
    _validate_options(kind=kind, source=source, match=match, campaign_tag=campaign_tag)
    data, detected_name = _read_bytes(file)
    file_name = file_name or detected_name
    started = time.perf_counter()
    if batch is None:
        batch = ImportBatch.objects.create(
            kind=kind, source=source, file_name=file_name[:255], file_size=len(data), match_mode=match,
            property=property, create_properties=create_properties, all_or_nothing=all_or_nothing, dry_run=dry_run,
            campaign_tag=(campaign_tag or "").strip(), mapping=dict(mapping or {}), status=ImportStatus.RUNNING,
            created_by=actor if getattr(actor, "pk", None) else None, started_at=timezone.now(),
        )
    summary = ImportSummary(kind=kind, source=source, match_mode=match, dry_run=dry_run, file_name=file_name,
                            batch_id=batch.pk)
    reporter = _Progress(batch, progress)
    try:
        table = read_table(data=data, file_name=file_name)
        columns = build_mapping(table.headers, kind=kind, override=mapping)
    except ValidationError as exc:
        summary.status = ImportStatus.FAILED
        summary.error = " ".join(exc.messages)
        return _finish(batch, summary, started, reporter)
    summary.columns = columns.as_dict()
    summary.ignored_columns = columns.ignored + columns.duplicates
    summary.notes = list(table.notes)
    summary.file_format, summary.encoding = table.format, table.encoding
    if columns.duplicates:
        summary.notes.append(_("Columns mapped to a field another column already fills were ignored: %(cols)s.")
                             % {"cols": ", ".join(columns.duplicates)})
    ctx = ImportContext(actor=actor, source=source, match_mode=match, summary=summary, threshold=review_threshold(),
                        holding_property=property, create_properties=create_properties,
                        campaign_tag=(campaign_tag or "").strip(), batch=batch)
    importer = IMPORTERS[kind](ctx, columns)
    total = table.estimated_rows
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total)
    try:
        with _fewer_gc_pauses(), transaction.atomic():
            _lock_source(source)
            _analyze(importer.lookup_tables)
            reader = _RowReaderThread(table=table, columns=columns, importer=importer, summary=summary)
            reader.start()
            try:
                for rows in reader.batches():
                    importer.write(rows)
                    reporter(summary.rows_read, total)
            finally:
                reader.close()
            importer.finish()
            reporter(summary.rows_read, total, force=True)
            if dry_run:
                raise _Rollback
            if all_or_nothing and summary.rejected:
                raise _Rollback
        summary.status = ImportStatus.SUCCEEDED
    except _Rollback:
        summary.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.ROLLED_BACK
        if not dry_run:
            summary.error = _("%(n)s rows were rejected, so nothing was imported (all or nothing).") % {
                "n": len(summary.rejected_rows)}
    except Exception as exc:  # noqa: BLE001 - any failure rolls back; the batch records why
        logger.exception("import batch %s failed", batch.pk)
        summary.status = ImportStatus.FAILED
        summary.error = _("The import failed and nothing was saved: %(error)s") % {"error": str(exc)[:500]}
    return _finish(batch, summary, started, reporter)


def _finish(batch: ImportBatch, summary: ImportSummary, started: float, reporter: _Progress) -> ImportSummary:
    summary.seconds = time.perf_counter() - started
    summary.rejected.sort(key=lambda issue: issue.row)  # rows are rejected while reading and while writing
    summary.warnings.sort(key=lambda issue: issue.row)
    committed = summary.status == ImportStatus.SUCCEEDED
    issues = [(i, IssueSeverity.ERROR) for i in summary.rejected]
    issues += [(i, IssueSeverity.WARNING) for i in summary.warnings]
    ImportRowIssue.objects.bulk_create([_issue_row(batch, issue, severity, committed) for issue, severity in issues],
                                       batch_size=2000)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=summary.status, summary=summary.as_dict(limit=STORED_ISSUES), error=summary.error[:2000],
        rows_done=summary.rows_read, rows_total=summary.rows_read, finished_at=timezone.now(),
    )
    reporter.clear()
    return summary


def _issue_row(batch: ImportBatch, issue: Issue, severity: str, committed: bool) -> ImportRowIssue:
    from concierge.guests.models import Company, Guest
    from concierge.stays.models import Stay

    target = issue.target if committed else None  # rolled-back rows never got saved
    return ImportRowIssue(
        batch=batch, row=issue.row, field=issue.field[:60], severity=severity, code=issue.code[:40],
        message=issue.message[:300], raw_value=issue.raw[:2000],
        guest=target if isinstance(target, Guest) else None,
        company=target if isinstance(target, Company) else None,
        stay=target if isinstance(target, Stay) else None,
    )


# --- the web flow: upload, preview, run in the background ---------------------------------------------------


def import_batch_create(
    *, actor: Any, kind: str, upload: Any, source: str, match_mode: str = MatchMode.LINK, property: Any = None,  # noqa: A002
    create_properties: bool = False, all_or_nothing: bool = False, campaign_tag: str = "",
) -> ImportBatch:
    """Store an uploaded file and its options; the preview page reads it from there."""
    source = (source or DEFAULT_SOURCE).strip()
    _validate_options(kind=kind, source=source, match=match_mode, campaign_tag=campaign_tag or None)
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}]})
    if getattr(upload, "name", None) and hasattr(upload, "read"):  # an uploaded file, not bytes/a path
        validate_upload(upload, allowed_extensions=UPLOAD_EXTENSIONS, max_bytes=MAX_UPLOAD_BYTES)
    data, name = _read_bytes(upload)
    try:
        table = read_table(data=data, file_name=name)
        build_mapping(table.headers, kind=kind)
    except ValidationError as exc:
        if getattr(exc, "code", "") != "missing_columns":  # a missing column can still be mapped by hand
            raise ValidationError({"file": exc.messages}) from exc
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx", ".xlsm", ".txt") else ".bin"
    path = work_dir() / f"upload-{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return ImportBatch.objects.create(
        kind=kind, source=source, file_name=name[:255], file_path=str(path), file_size=len(data),
        match_mode=match_mode, property=property, create_properties=create_properties,
        all_or_nothing=all_or_nothing, campaign_tag=(campaign_tag or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def import_batch_set_mapping(*, actor: Any, batch: ImportBatch, mapping: Mapping[str, str]) -> ImportBatch:
    """Save the column mapping chosen on the preview page (validated against the file's headers)."""
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.DRY_RUN):
        raise ValidationError(_("This import has already run."), code="already_run")
    table = read_table(data=Path(batch.file_path).read_bytes(), file_name=batch.file_name)
    clean = {h: v for h, v in mapping.items() if h in table.headers}
    build_mapping(table.headers, kind=batch.kind, override=clean)  # raises when required columns are unmapped
    batch.mapping = clean
    batch.save(update_fields=["mapping"])
    return batch


def import_batch_start(*, actor: Any, batch: ImportBatch, dry_run: bool) -> ImportBatch:
    """Queue the import (or its dry run). Claimed with a conditional UPDATE, so a double click runs it once."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.UPLOADED, ImportStatus.DRY_RUN],
    ).update(status=ImportStatus.QUEUED, dry_run=dry_run, rows_done=0, summary={}, error="")
    if not claimed:
        raise ValidationError(_("This import is already running or finished."), code="already_run")
    batch.refresh_from_db()
    batch.issues.all().delete()  # the previous dry run's issues

    def enqueue() -> None:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            import_batch_execute(batch_id=batch.pk)
            return
        from concierge.imports.tasks import run_import_batch

        run_import_batch.delay(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def import_batch_execute(*, batch_id: int) -> ImportSummary | None:
    """Run a queued batch (the Celery task's body). Idempotent: only a queued batch is claimed and run."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("created_by", "property").get(pk=batch_id)
    try:
        data = Path(batch.file_path).read_bytes()
    except OSError:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, error=_("The uploaded file is gone; upload it again."),
            finished_at=timezone.now())
        return None
    # Row messages are stored as text: write them in the language of the person who started the import.
    language = getattr(batch.created_by, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        summary = import_run(
            actor=batch.created_by, kind=batch.kind, file=data, file_name=batch.file_name, source=batch.source,
            match=batch.match_mode, create_properties=batch.create_properties, dry_run=batch.dry_run,
            mapping=batch.mapping or None, campaign_tag=batch.campaign_tag or None, property=batch.property,
            all_or_nothing=batch.all_or_nothing, batch=batch,
        )
    if not batch.dry_run:
        # The file holds personal data: once imported (or refused), it is not kept.
        Path(batch.file_path).unlink(missing_ok=True)
        ImportBatch.objects.filter(pk=batch_id).update(file_path="")
    return summary


def import_batches_purge(*, older_than_days: int = 7) -> int:
    """Delete stored uploads of batches that were never run (the nightly clean-up)."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    stale = ImportBatch.objects.filter(Q(status=ImportStatus.UPLOADED) | Q(status=ImportStatus.DRY_RUN),
                                       created_at__lt=cutoff).exclude(file_path="")
    count = 0
    for batch in stale:
        Path(batch.file_path).unlink(missing_ok=True)
        count += 1
    stale.update(file_path="")
    return count
