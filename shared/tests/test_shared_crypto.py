import base64
import os
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.crypto import DecryptionError, FieldCipher
from shared.settings import DEVELOPMENT_ENCRYPTION_KEY, FieldEncryptionSettings


def cipher(active: str = "k1", **keys: bytes) -> FieldCipher:
    return FieldCipher(keys or {"k1": os.urandom(32)}, active)


def test_round_trip_hides_the_plaintext() -> None:
    c, case = cipher(), uuid4()
    token = c.encrypt("Siti, 0812-3456-789", case_id=case, field="reporter_contact")
    assert "Siti" not in token
    assert "0812" not in token
    assert token.startswith("v1:k1:")
    assert c.decrypt(token, case_id=case, field="reporter_contact") == "Siti, 0812-3456-789"


def test_a_ciphertext_cannot_be_pasted_onto_another_case_or_field() -> None:
    c, case = cipher(), uuid4()
    token = c.encrypt("rahasia", case_id=case, field="narrative")
    with pytest.raises(DecryptionError):
        c.decrypt(token, case_id=uuid4(), field="narrative")
    with pytest.raises(DecryptionError):
        c.decrypt(token, case_id=case, field="address")


def test_tampering_is_detected_and_the_error_holds_no_plaintext() -> None:
    c, case = cipher(), uuid4()
    token = c.encrypt("rahasia", case_id=case, field="narrative")
    raw = bytearray(base64.b64decode(token.split(":")[2]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError) as error:
        c.decrypt("v1:k1:" + base64.b64encode(bytes(raw)).decode(), case_id=case, field="narrative")
    assert "rahasia" not in str(error.value)


def test_rotation_keeps_old_ciphertexts_readable() -> None:
    old_key, new_key, case = os.urandom(32), os.urandom(32), uuid4()
    old = FieldCipher({"2025": old_key}, "2025").encrypt("x", case_id=case, field="narrative")
    rotated = FieldCipher({"2025": old_key, "2026": new_key}, "2026")
    assert rotated.needs_rotation(old)
    assert rotated.decrypt(old, case_id=case, field="narrative") == "x"
    assert not rotated.needs_rotation(rotated.encrypt("x", case_id=case, field="narrative"))


def test_the_development_key_is_refused_outside_development() -> None:
    assert FieldEncryptionSettings(environment="development").encryption_active_key_id == "dev"
    with pytest.raises(ValidationError, match="development key"):
        FieldEncryptionSettings(environment="production")
    real = base64.b64encode(os.urandom(32)).decode()
    settings = FieldEncryptionSettings(environment="production", encryption_keys={"p1": real},
                                       encryption_active_key_id="p1")
    assert FieldCipher.from_settings(settings).active_key_id == "p1"
    assert real != DEVELOPMENT_ENCRYPTION_KEY
