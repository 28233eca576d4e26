import base64
import os

import pytest
from pydantic import ValidationError

from intake.settings import IntakeSettings

URL = "postgresql+asyncpg://intake_app:secret@127.0.0.1/sinergi"


def test_intake_refuses_to_start_outside_development_on_the_development_key() -> None:
    with pytest.raises(ValidationError, match="development key"):
        IntakeSettings(environment="production", database_url=URL)


def test_intake_starts_in_production_with_a_real_key() -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = IntakeSettings(environment="production", database_url=URL, encryption_keys={"2026-11": key},
                              encryption_active_key_id="2026-11", auth_jwks_url="https://sso.example.go.id/jwks",
                              **REAL_SECRETS)
    assert settings.encryption_active_key_id == "2026-11"


REAL_SECRETS = {
    "linking_key": "a-real-linking-key", "message_gateway_secrets": {"whatsapp": "wa-real", "sms": "sms-real"}
}
PRODUCTION_KEYS = {"encryption_keys": {"2026-11": base64.b64encode(os.urandom(32)).decode()},
                   "encryption_active_key_id": "2026-11", "auth_jwks_url": "https://sso.example.go.id/jwks"}


@pytest.mark.parametrize(
    ("secrets", "refusal"),
    [
        ({**REAL_SECRETS, "linking_key": "sinergi-development-linking-key"}, "linking_key is the development key"),
        ({**REAL_SECRETS, "message_gateway_secrets": {"sms": "sinergi-development-gateway-secret"}},
         "sms gateway secret is the development secret"),
    ],
)
def test_intake_refuses_development_linking_key_and_gateway_secrets_in_production(
    secrets: dict[str, object], refusal: str
) -> None:
    with pytest.raises(ValidationError, match=refusal):
        IntakeSettings(environment="production", database_url=URL, **PRODUCTION_KEYS, **secrets)


def test_a_settings_error_never_echoes_secrets() -> None:
    with pytest.raises(ValidationError) as refused:
        IntakeSettings(environment="production", database_url=URL.replace("secret", "Pw-9f8e7d6c"),
                       encryption_keys={"dev": "not-base64-Key-5a4b3c"})
    assert "Pw-9f8e7d6c" not in str(refused.value)
    assert "Key-5a4b3c" not in str(refused.value)
