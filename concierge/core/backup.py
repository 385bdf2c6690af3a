"""Encrypted backups and restores of the whole database, and re-encryption of sensitive fields under a new key.

Archive format (`.ccbk`): the magic line, an 8-byte random nonce prefix, then chunks of AES-256-GCM ciphertext,
each preceded by its length (4 bytes, big-endian). Chunk *n* uses nonce = prefix + n (4 bytes) and the associated
data "more" or "last", so a truncated, reordered or altered archive fails to decrypt instead of restoring half a
database. The plaintext is a tar stream holding `manifest.json` (engine, time, row count of every table) and the
database itself: a `pg_dump -Fc` custom archive on PostgreSQL, an online-backup copy (SQLite's backup API, safe
while the app writes) on SQLite. The key is `CONCIERGE_BACKUP_KEY` (32 url-safe base64 bytes, the Fernet key format),
kept apart from the field keys so a stolen backup and a stolen field key are separate risks.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

MAGIC = b"CONCIERGE-BACKUP\x01\n"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore could not be done; the message says why (shown to the operator as is)."""


# --- the encrypted container ---------------------------------------------------------------------------------------


def _key(key: str | None = None) -> bytes:
    raw = key or getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    try:
        value = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise BackupError("CONCIERGE_BACKUP_KEY is not valid url-safe base64.") from exc
    if len(value) != 32:
        raise BackupError("CONCIERGE_BACKUP_KEY must decode to 32 bytes (generate one with Fernet.generate_key()).")
    return value


def encrypt_stream(source: BinaryIO, target: BinaryIO, *, key: str | None = None) -> None:
    aead = AESGCM(_key(key))
    prefix = os.urandom(8)
    target.write(MAGIC + prefix)
    counter = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(prefix + struct.pack(">I", counter), chunk, b"last" if last else b"more")
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        counter += 1
        chunk = following


def decrypt_stream(source: BinaryIO, target: BinaryIO, *, key: str | None = None) -> None:
    aead = AESGCM(_key(key))
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This file is not a Concierge backup archive.")
    prefix = source.read(8)
    counter = 0
    while True:
        header = source.read(4)
        if len(header) != 4:
            raise BackupError("The archive is truncated (its last part is missing).")
        (length,) = struct.unpack(">I", header)
        sealed = source.read(length)
        nonce = prefix + struct.pack(">I", counter)
        try:
            target.write(aead.decrypt(nonce, sealed, b"more"))
        except InvalidTag:
            try:
                target.write(aead.decrypt(nonce, sealed, b"last"))
            except InvalidTag as exc:
                raise BackupError("The archive cannot be decrypted: wrong CONCIERGE_BACKUP_KEY or a damaged file.") \
                    from exc
            if source.read(1):
                raise BackupError("The archive has data after its last part.")
            return
        counter += 1


# --- databases -----------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where a database is: engine 'postgresql' or 'sqlite', and its connection settings."""

    engine: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, db: dict[str, Any] | None = None) -> Target:
        db = db or connection.settings_dict
        engine = "postgresql" if "postgresql" in db["ENGINE"] else "sqlite" if "sqlite3" in db["ENGINE"] else ""
        if not engine:
            raise BackupError(f"Unsupported database engine {db['ENGINE']}.")
        return cls(engine, str(db["NAME"]), str(db.get("HOST") or ""), str(db.get("PORT") or ""),
                   str(db.get("USER") or ""), str(db.get("PASSWORD") or ""))

    @classmethod
    def from_url(cls, url: str) -> Target:
        parsed = urlparse(url)
        if parsed.scheme in ("postgres", "postgresql", "pgsql"):
            return cls("postgresql", parsed.path.lstrip("/"), parsed.hostname or "", str(parsed.port or ""),
                       unquote(parsed.username or ""), unquote(parsed.password or ""))
        if parsed.scheme == "sqlite":
            return cls("sqlite", unquote(parsed.path) if parsed.path not in ("", "/") else "")
        raise BackupError(f"Unsupported database URL scheme {parsed.scheme!r} (use postgres:// or sqlite:///).")

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def pg_args(self) -> list[str]:
        args = []
        for flag, value in (("-h", self.host), ("-p", self.port), ("-U", self.user)):
            if value:
                args += [flag, value]
        return args

    def connect(self) -> Any:
        """A raw DB-API connection to this database (outside Django's connection handling)."""
        if self.engine == "sqlite":
            return sqlite3.connect(self.name)
        import psycopg

        return psycopg.connect(dbname=self.name, host=self.host or None, port=self.port or None,
                               user=self.user or None, password=self.password or None, autocommit=True)


def model_tables() -> list[str]:
    """Every table of an installed model (concrete, managed), sorted."""
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy}
    return sorted(tables)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(target: Target, tables: list[str]) -> dict[str, int | None]:
    """COUNT(*) of each table in `target` (None when the table does not exist there)."""
    counts: dict[str, int | None] = {}
    conn = target.connect()
    try:
        cur = conn.cursor()
        for table in tables:
            try:
                cur.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the model registry
                counts[table] = int(cur.fetchone()[0])
            except Exception:  # noqa: BLE001 - a missing table is reported as None, not an error here
                counts[table] = None
    finally:
        conn.close()
    return counts


# --- backup --------------------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    engine: str
    tables: int
    rows: int
    bytes: int


def backup(output: Path, *, key: str | None = None, source: Target | None = None) -> BackupResult:
    """Write an encrypted archive of the database (the default one unless `source` is given) to `output`."""
    source = source or Target.from_settings()
    _key(key)  # fail before any work when the key is wrong
    tables = model_tables()
    with tempfile.TemporaryDirectory(prefix="concierge-backup-") as tmp:
        dump = Path(tmp) / ("db.pgdump" if source.engine == "postgresql" else "db.sqlite3")
        if source.engine == "postgresql":
            counts = _pg_dump(source, dump, tables)
        else:
            src = sqlite3.connect(source.name)
            dst = sqlite3.connect(str(dump))
            try:
                with dst:
                    src.backup(dst)  # SQLite's online backup API: a consistent copy while others write
            finally:
                dst.close()
                src.close()
            counts = row_counts(Target("sqlite", str(dump)), tables)  # counted in the copy itself
        manifest = {
            "format": 1, "engine": source.engine, "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": source.name, "row_counts": counts,
        }
        plain = Path(tmp) / "archive.tar"
        with tarfile.open(plain, "w") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        with open(plain, "rb") as src_file, open(partial, "wb") as out:
            encrypt_stream(src_file, out, key=key)
        os.chmod(partial, 0o600)
        partial.replace(output)  # never leave a half-written archive under the final name
    return BackupResult(output, source.engine, len(counts), sum(v or 0 for v in counts.values()),
                        output.stat().st_size)


def _pg_dump(source: Target, dump: Path, tables: list[str]) -> dict[str, int | None]:
    """pg_dump into `dump`, returning row counts read in the very snapshot the dump is taken from.

    A REPEATABLE READ transaction exports its snapshot; the counts are read in it and pg_dump is pointed at it with
    `--snapshot`, so the manifest describes exactly what the archive holds even while the app keeps writing.
    """
    conn = source.connect()
    try:
        conn.autocommit = False
        cur = conn.cursor()
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        existing = {r[0] for r in cur.fetchall()}
        counts: dict[str, int | None] = {}
        for table in tables:
            if table in existing:
                cur.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from the model registry
                counts[table] = int(cur.fetchone()[0])
            else:
                counts[table] = None
        result = subprocess.run(  # noqa: S603 - fixed executable, arguments from settings
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(dump),
             *source.pg_args(), source.name],
            env=source.pg_env(), capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        conn.rollback()
    finally:
        conn.close()
    return counts


# --- restore -------------------------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    engine: str
    manifest: dict[str, Any]
    counts: dict[str, int | None]
    mismatches: dict[str, tuple[int | None, int | None]]


def _is_empty(target: Target) -> bool:
    if target.engine == "sqlite":
        if not target.name or not Path(target.name).exists() or Path(target.name).stat().st_size == 0:
            return True
        conn = sqlite3.connect(target.name)
        try:
            return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[0] == 0
        finally:
            conn.close()
    conn = target.connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        return cur.fetchone()[0] == 0
    finally:
        conn.close()


def read_archive(path: Path, workdir: Path, *, key: str | None = None) -> tuple[dict[str, Any], Path]:
    plain = workdir / "archive.tar"
    with open(path, "rb") as src, open(plain, "wb") as out:
        decrypt_stream(src, out, key=key)
    with tarfile.open(plain, "r") as tar:
        names = tar.getnames()
        if "manifest.json" not in names:
            raise BackupError("The archive has no manifest.")
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        dump_name = "db.pgdump" if manifest["engine"] == "postgresql" else "db.sqlite3"
        if dump_name not in names:
            raise BackupError(f"The archive has no {dump_name}.")
        tar.extract(dump_name, workdir, filter="data")
    return manifest, workdir / dump_name


def restore(path: Path, *, target: Target | None = None, key: str | None = None, force: bool = False) -> RestoreResult:
    """Restore an archive into `target` (default: the configured database), then compare row counts.

    Refused when the target already holds tables, unless `force` (PostgreSQL: objects are dropped and recreated;
    SQLite: the file is replaced). The engine of the archive must match the target's.
    """
    target = target or Target.from_settings()
    with tempfile.TemporaryDirectory(prefix="concierge-restore-") as tmp:
        manifest, dump = read_archive(path, Path(tmp), key=key)
        if manifest["engine"] != target.engine:
            raise BackupError(f"This is a {manifest['engine']} backup; the target database is {target.engine}.")
        if not force and not _is_empty(target):
            raise BackupError(f"The target database {target.name} is not empty; restore into an empty database "
                              "or pass --force to replace its contents.")
        if target.engine == "postgresql":
            args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", target.name,
                    *target.pg_args()]
            if force:
                args[1:1] = ["--clean", "--if-exists"]
            result = subprocess.run([*args, str(dump)], env=target.pg_env(), capture_output=True, text=True,  # noqa: S603
                                    check=False)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
        else:
            if not target.name:
                raise BackupError("No SQLite file to restore into.")
            Path(target.name).parent.mkdir(parents=True, exist_ok=True)
            if Path(target.name) == Path(str(connection.settings_dict["NAME"])):
                connection.close()
            src = sqlite3.connect(str(dump))
            dst = sqlite3.connect(target.name)
            try:
                with dst:
                    src.backup(dst)
            finally:
                dst.close()
                src.close()
    expected: dict[str, int | None] = manifest["row_counts"]
    counts = row_counts(target, sorted(expected))
    mismatches = {t: (expected[t], counts.get(t)) for t in expected if expected[t] != counts.get(t)}
    return RestoreResult(target.engine, manifest, counts, mismatches)


# --- key rotation --------------------------------------------------------------------------------------------------


@dataclass
class RotationReport:
    columns: list[str]
    rotated: int = 0
    already_current: int = 0
    skipped_changed: int = 0


def encrypted_columns() -> Iterator[tuple[Any, str]]:
    """(model, column) of every EncryptedTextField, history tables included."""
    from concierge.core.fields import EncryptedTextField

    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                yield model, f.column


def rotate_keys(*, batch_size: int = 500, dry_run: bool = False) -> RotationReport:
    """Re-encrypt every encrypted value that is not under the newest key (`FIELD_ENCRYPTION_KEYS[0]`).

    Online: each batch is its own short transaction, and each row is written only if its stored token is still the
    one that was read (compare-and-set), so a value saved by the app meanwhile (already under the new key) is never
    overwritten. Running it again continues where it stopped; values under the newest key are left alone.
    """
    from cryptography.fernet import Fernet, InvalidToken

    from concierge.core.crypto import rotate_token

    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    report = RotationReport(columns=[])
    for model, column in encrypted_columns():
        table, pk = model._meta.db_table, model._meta.pk.column
        report.columns.append(f"{table}.{column}")
        last: Any = None
        while True:
            with connection.cursor() as cur:
                where = f"WHERE {_quote(pk)} > %s " if last is not None else ""
                cur.execute(
                    f"SELECT {_quote(pk)}, {_quote(column)} FROM {_quote(table)} {where}"  # noqa: S608
                    f"ORDER BY {_quote(pk)} LIMIT %s",
                    [last, batch_size] if last is not None else [batch_size],
                )
                rows = cur.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            updates = []
            for row_pk, token in rows:
                if not token:
                    continue
                try:
                    newest.decrypt(token.encode("ascii"))
                    report.already_current += 1
                    continue
                except InvalidToken:
                    pass
                updates.append((rotate_token(token), row_pk, token))
            if dry_run or not updates:
                report.rotated += len(updates) if dry_run else 0
                continue
            with transaction.atomic(), connection.cursor() as cur:
                for new_token, row_pk, old_token in updates:
                    cur.execute(
                        f"UPDATE {_quote(table)} SET {_quote(column)} = %s "  # noqa: S608
                        f"WHERE {_quote(pk)} = %s AND {_quote(column)} = %s",
                        [new_token, row_pk, old_token],
                    )
                    if cur.rowcount == 1:
                        report.rotated += 1
                    else:
                        report.skipped_changed += 1
    return report
