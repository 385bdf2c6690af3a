"""Encrypted backups restore into an empty database with equal row counts and decryptable values; key rotation."""
from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from concierge.core.backup import BackupError, Target, backup, decrypt_stream, encrypt_stream, restore, rotate_keys
from concierge.core.crypto import decrypt_text

ID_NUMBER = "11010119900307803X"


@pytest.fixture
def guest_with_id(db):
    from concierge.guests.models import Guest, IdentityDocument

    guest = Guest.objects.create(family_name="张", given_name="伟", phone="+8613800138000")
    IdentityDocument.objects.create(guest=guest, doc_type="cn_id", number=ID_NUMBER,
                                    number_hash=f"h-{uuid.uuid4().hex}", number_masked="1101**********803X")
    return guest


def _raw_number(conn, vendor: str) -> str:
    cur = conn.cursor()
    cur.execute("SELECT number FROM guests_identitydocument ORDER BY id LIMIT 1")
    return cur.fetchone()[0]


def test_container_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    import io

    key = Fernet.generate_key().decode()
    data = b"x" * (1024 * 1024 * 2 + 17)  # three chunks
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(data), sealed, key=key)
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed.getvalue()), out, key=key)
    assert out.getvalue() == data
    with pytest.raises(BackupError, match="wrong CONCIERGE_BACKUP_KEY"):
        decrypt_stream(io.BytesIO(sealed.getvalue()), io.BytesIO(), key=Fernet.generate_key().decode())
    tampered = bytearray(sealed.getvalue())
    tampered[100] ^= 1
    with pytest.raises(BackupError):
        decrypt_stream(io.BytesIO(bytes(tampered)), io.BytesIO(), key=key)
    # Cut after the first chunk: the "last" marker is missing, so the archive is refused, not half-restored.
    first_len = int.from_bytes(sealed.getvalue()[26:30], "big")
    with pytest.raises(BackupError, match="truncated"):
        decrypt_stream(io.BytesIO(sealed.getvalue()[: 30 + first_len]), io.BytesIO(), key=key)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online-backup path")
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_an_empty_database(guest_with_id, tmp_path: Path) -> None:
    archive = tmp_path / "b.ccbk"
    result = backup(archive)
    assert archive.read_bytes().startswith(b"CONCIERGE-BACKUP")
    # Long plaintexts only: a 3-byte character can occur in random ciphertext by chance.
    assert ID_NUMBER.encode() not in archive.read_bytes() and b"+8613800138000" not in archive.read_bytes()

    target = tmp_path / "restored.sqlite3"
    restored = restore(archive, target=Target("sqlite", str(target)))
    assert restored.mismatches == {}
    assert restored.counts["guests_guest"] == 1 and restored.counts["guests_identitydocument"] == 1
    assert sum(v or 0 for v in restored.counts.values()) == result.rows
    conn = sqlite3.connect(target)
    try:
        assert decrypt_text(_raw_number(conn, "sqlite")) == ID_NUMBER
        assert conn.execute("SELECT family_name FROM guests_guest").fetchone()[0] == "张"
    finally:
        conn.close()
    with pytest.raises(BackupError, match="not empty"):
        restore(archive, target=Target("sqlite", str(target)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore path")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_an_empty_database(guest_with_id, tmp_path: Path) -> None:
    import psycopg

    archive = tmp_path / "b.ccbk"
    call_command("backup", "--output", str(archive))
    source = Target.from_settings()
    name = f"{source.name}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(dbname="postgres", host=source.host or None, port=source.port or None,
                            user=source.user or None, password=source.password or None, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        target = Target("postgresql", name, source.host, source.port, source.user, source.password)
        restored = restore(archive, target=target)
        assert restored.mismatches == {}
        assert restored.counts["guests_guest"] == 1
        conn = target.connect()
        try:
            assert decrypt_text(_raw_number(conn, "postgresql")) == ID_NUMBER
        finally:
            conn.close()
        with pytest.raises(BackupError, match="not empty"):
            restore(archive, target=target)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db
def test_rotate_keys_reencrypts_under_the_newest_key_and_is_resumable(settings) -> None:
    from concierge.guests.models import Guest, IdentityDocument

    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    guest = Guest.objects.create(family_name="李", given_name="娜")
    for i in range(3):
        IdentityDocument.objects.create(guest=guest, doc_type="passport", number=f"E{i:08d}",
                                        number_hash=f"h{i}", number_masked="E****")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        dry = rotate_keys(dry_run=True)
        assert dry.rotated == 3
        report = rotate_keys(batch_size=2)
        assert report.rotated == 3 and report.skipped_changed == 0
        assert "guests_identitydocument.number" in report.columns
        assert rotate_keys().rotated == 0  # a second run finds nothing left under the old key
    with connection.cursor() as cur:
        cur.execute("SELECT number FROM guests_identitydocument ORDER BY id")
        tokens = [r[0] for r in cur.fetchall()]
    for i, token in enumerate(tokens):
        assert Fernet(new.encode()).decrypt(token.encode()).decode() == f"E{i:08d}"
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):  # the old key can now be dropped
        assert sorted(IdentityDocument.objects.values_list("number", flat=True)) == [f"E{i:08d}" for i in range(3)]
