import pytest
from cryptography.fernet import Fernet
from django.db import connection

from concierge.core.crypto import DecryptionError, blind_index, decrypt_text, encrypt_text, rotate_token


def test_encrypt_round_trip_and_tokens_differ():
    a, b = encrypt_text("11010519491231002X"), encrypt_text("11010519491231002X")
    assert a != b
    assert decrypt_text(a) == "11010519491231002X"


def test_old_key_still_decrypts_after_rotation(settings):
    old = encrypt_text("secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert decrypt_text(old) == "secret"
    rotated = rotate_token(old)
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert decrypt_text(rotated) == "secret"
    with pytest.raises(DecryptionError):
        decrypt_text(old)


def test_blind_index_is_keyed_and_deterministic(settings):
    first = blind_index("X1", purpose="id_number")
    assert first == blind_index("X1", purpose="id_number")
    settings.BLIND_INDEX_KEY = "another-key"
    assert blind_index("X1", purpose="id_number") != first


def test_id_number_is_encrypted_at_rest(guest_a):
    doc = guest_a.documents.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM guests_identitydocument WHERE id = %s", [doc.pk])
        raw = cursor.fetchone()[0]
    assert "11010519491231002X" not in raw
    assert doc.number == "11010519491231002X"
    assert doc.number_masked == "1101**********002X"
