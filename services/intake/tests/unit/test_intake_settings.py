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
                              encryption_active_key_id="2026-11")
    assert settings.encryption_active_key_id == "2026-11"
